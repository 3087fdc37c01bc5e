using Confluent.Kafka;

namespace Mesh.Messaging.Consuming;

/// <summary>A consumed record on its way through the scheduler, and whether its outcome is decided.</summary>
internal sealed class TrackedRecord(ConsumeResult<string, byte[]> record, PartitionTracker partition)
{
    private ConsumeResult<string, byte[]>? _record = record;
    private volatile bool _finished;

    /// <summary>The record, until it is finished.</summary>
    public ConsumeResult<string, byte[]> Record => _record ?? throw new InvalidOperationException("The record is finished.");

    public long Offset { get; } = record.Offset.Value;

    /// <summary>The assignment the record was consumed under; a later assignment gets a new tracker.</summary>
    public PartitionTracker Partition => partition;

    /// <summary>Handled or dead-lettered: its offset may be committed.</summary>
    public bool IsFinished => _finished;

    /// <summary>
    /// Lets go of the record (payload, headers) at once: the partition keeps only its offset until
    /// the next store, so a finished record is garbage by the next collection instead of surviving it.
    /// </summary>
    public void MarkFinished()
    {
        _record = null;
        _finished = true;
    }
}
