namespace Mesh.Cli.DeadLetters;

/// <summary>How the redrive of one partition ended.</summary>
public sealed record PartitionOutcome(
    PartitionPlan Plan,
    long Redriven,
    long SameSourceRecord,
    long CursorAfter,
    string? Failure,
    long ProducedNotRecorded)
{
    public bool Succeeded => Failure is null;
}
