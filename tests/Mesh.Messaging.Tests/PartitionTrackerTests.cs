using System.Runtime.CompilerServices;
using Confluent.Kafka;
using Mesh.Messaging.Consuming;

namespace Mesh.Messaging.Tests;

public sealed class PartitionTrackerTests
{
    private static readonly TopicPartition Partition = new("mesh.orders.order-placed", 0);

    [Fact]
    public void TakeCommittable_FinishedOutOfOrder_CommitsOnlyPastTheFinishedPrefix()
    {
        var tracker = new PartitionTracker(Partition);
        var records = Enumerable.Range(10, 3).Select(offset => tracker.Track(Record(offset))).ToList();

        records[1].MarkFinished();
        var beforeFirst = tracker.TakeCommittable();
        records[0].MarkFinished();
        var afterFirst = tracker.TakeCommittable();

        Assert.Null(beforeFirst);
        Assert.Equal(new Offset(12), afterFirst);
        Assert.Null(tracker.TakeCommittable());
    }

    [Fact]
    public void MarkFinished_RecordStillTracked_LetsGoOfThePayload()
    {
        var tracker = new PartitionTracker(Partition);
        var (tracked, payload) = TrackUnreferenced(tracker, 7);

        tracked.MarkFinished();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // Tracked until the next store, the finished record no longer keeps its payload alive.
        Assert.False(payload.IsAlive);
        Assert.Equal(new Offset(8), tracker.TakeCommittable());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (TrackedRecord Tracked, WeakReference Payload) TrackUnreferenced(PartitionTracker tracker, long offset)
    {
        var record = Record(offset);
        return (tracker.Track(record), new WeakReference(record.Message.Value));
    }

    private static ConsumeResult<string, byte[]> Record(long offset) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(Partition, new Offset(offset)),
        Message = new Message<string, byte[]> { Key = $"key-{offset}", Value = new byte[1024] },
    };
}
