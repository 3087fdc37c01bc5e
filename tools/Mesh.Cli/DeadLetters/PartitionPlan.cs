namespace Mesh.Cli.DeadLetters;

/// <summary>
/// What <c>redrive</c> does with one dead-letter partition, given the range asked for
/// (<c>--from</c>/<c>--to</c>, default: from the cursor to the end of the log):
/// dead letters below the cursor were handled already and are not redriven again; those between
/// the cursor and <c>--from</c> are passed over (the cursor moves past them without redriving them;
/// <c>show</c> still reads them); the rest of the range is redriven, and the cursor then points
/// just past it.
/// </summary>
public sealed record PartitionPlan(PartitionState State, OffsetRange AlreadyHandled, OffsetRange PassedOver, OffsetRange Redrive, OffsetRange Gone)
{
    /// <summary>Where the cursor ends when every record of <see cref="Redrive"/> was persisted.</summary>
    public long CursorAfter => Redrive.IsEmpty ? State.Cursor : Redrive.To + 1;

    /// <summary>
    /// The plan for <paramref name="from"/> and <paramref name="to"/> (both included, either may be
    /// null for its default), or why they make no sense for this partition.
    /// </summary>
    public static (PartitionPlan? Plan, string? Problem) For(PartitionState state, long? from, long? to)
    {
        var last = state.High - 1;
        if (from is { } f && f > last)
        {
            return (null, $"--from {f} is past the end of {state.Topic}/{state.Partition}: its last dead letter is at {last}.");
        }

        if (from is { } start && to is { } end && end < start)
        {
            return (null, $"--to {end} is below --from {start}.");
        }

        var askedFrom = from ?? state.Cursor;
        var first = Math.Max(askedFrom, state.Low);
        var upTo = Math.Min(to ?? last, last);
        var cursor = state.Cursor;
        return (new PartitionPlan(
            state,
            AlreadyHandled: new OffsetRange(first, Math.Min(upTo, cursor - 1)),
            PassedOver: first > cursor ? new OffsetRange(cursor, Math.Min(first - 1, upTo)) : OffsetRange.Empty,
            Redrive: new OffsetRange(Math.Max(first, cursor), upTo),
            Gone: new OffsetRange(askedFrom, Math.Min(state.Low - 1, upTo))), null);
    }
}
