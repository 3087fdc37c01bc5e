using Confluent.Kafka;

namespace Mesh.Messaging.Consuming;

/// <summary>A consumed record on its way through the scheduler, and whether its outcome is decided.</summary>
internal sealed class TrackedRecord(ConsumeResult<string, byte[]> record, PartitionTracker partition)
{
    private volatile bool _finished;

    public ConsumeResult<string, byte[]> Record => record;

    /// <summary>The assignment the record was consumed under; a later assignment gets a new tracker.</summary>
    public PartitionTracker Partition => partition;

    /// <summary>Handled or dead-lettered: its offset may be committed.</summary>
    public bool IsFinished => _finished;

    public void MarkFinished() => _finished = true;
}
