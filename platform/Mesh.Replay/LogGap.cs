namespace Mesh.Replay;

/// <summary>
/// Records of a captured range that a read never saw: the partition's next record was at
/// <paramref name="Found"/> (capped at the range's end) where <paramref name="Expected"/> was due.
/// </summary>
public sealed record LogGap(string Topic, int Partition, long Expected, long Found)
{
    public long Missed => Found - Expected;
}
