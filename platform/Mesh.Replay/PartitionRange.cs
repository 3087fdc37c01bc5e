namespace Mesh.Replay;

/// <summary>The records of one topic partition between two offsets, [Low, High).</summary>
public sealed record PartitionRange(string Topic, int Partition, long Low, long High)
{
    public long Count => Math.Max(0, High - Low);
}
