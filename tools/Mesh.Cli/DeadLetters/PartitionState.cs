namespace Mesh.Cli.DeadLetters;

/// <summary>
/// One dead-letter partition: what the log retains (<see cref="Low"/> to <see cref="High"/>, the
/// next offset to be written) and the redrive cursor, the redrive group's committed offset: the
/// next dead letter not yet handled. Every dead letter from the cursor on is pending.
/// </summary>
public sealed record PartitionState(string Topic, int Partition, long Low, long High, long? Committed)
{
    /// <summary>The committed offset, or the log start when nothing was committed or retention removed dead letters below it.</summary>
    public long Cursor => Math.Max(Committed ?? Low, Low);

    public long Retained => Math.Max(0, High - Low);

    public long Pending => Math.Max(0, High - Cursor);

    /// <summary>Dead letters retention deleted before anything redrove them.</summary>
    public long Expired => Committed is { } committed && committed < Low ? Low - committed : 0;
}
