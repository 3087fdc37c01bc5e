using Confluent.Kafka;

namespace Mesh.Messaging.Consuming;

/// <summary>
/// One assignment of one partition: its records in offset order, so that the consumer commits
/// only the offset below which every record is finished, never past an unfinished one even when
/// later records of other keys finished first. Tracking and committing happen on the poll thread;
/// workers only mark records finished and release them.
/// </summary>
internal sealed class PartitionTracker(TopicPartition partition)
{
    private readonly Queue<TrackedRecord> _inOffsetOrder = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _cancelled = new();
    private int _outstanding;

    public TopicPartition Partition => partition;

    /// <summary>
    /// Set when the partition is revoked or the consumer stops: queued records are dropped, retries
    /// and dead-letter retries give up, no new handler attempt starts. Their records stay
    /// uncommitted and are redelivered to the next owner.
    /// </summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Set when draining took too long: handlers in progress are cancelled.</summary>
    public CancellationToken Cancelled => _cancelled.Token;

    /// <summary>Records handed to the scheduler and not yet returned (finished, abandoned or dropped).</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    public TrackedRecord Track(ConsumeResult<string, byte[]> record)
    {
        var tracked = new TrackedRecord(record, this);
        _inOffsetOrder.Enqueue(tracked);
        Interlocked.Increment(ref _outstanding);
        return tracked;
    }

    /// <summary>Called by the scheduler once it is done with a record, whatever the outcome.</summary>
    public void Release() => Interlocked.Decrement(ref _outstanding);

    /// <summary>The offset to commit next if it advanced since the last call: one past the last record of the finished prefix.</summary>
    public Offset? TakeCommittable()
    {
        long next = -1;
        while (_inOffsetOrder.TryPeek(out var oldest) && oldest.IsFinished)
        {
            next = _inOffsetOrder.Dequeue().Offset + 1;
        }

        return next < 0 ? null : new Offset(next);
    }

    // CancelAsync runs the token's callbacks (a waiting retry's continuation, say) on the pool,
    // not inline on the poll thread that calls these.
    public void Stop() => _ = _stopping.CancelAsync();

    public void Cancel()
    {
        Stop();
        _ = _cancelled.CancelAsync();
    }
}
