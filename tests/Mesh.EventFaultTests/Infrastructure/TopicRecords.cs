using Confluent.Kafka;
using Mesh.Contracts.Events.V1;

namespace Mesh.EventFaultTests.Infrastructure;

/// <summary>
/// Reads a topic from the start to its current end outside any group, to tell an event the
/// broker never stored (lost by the producer) from one stored but never applied (lost by the consumer).
/// </summary>
public static class TopicRecords
{
    public static IReadOnlyDictionary<string, int> CountEventIds(string bootstrap, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "fault-test-reader",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).SetLogHandler((_, _) => { }).Build();
        var counts = new Dictionary<string, int>();
        var ends = Enumerable.Range(0, partitions)
            .Select(p => new TopicPartition(topic, p))
            .ToDictionary(tp => tp, tp => consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(5)).High.Value);
        consumer.Assign(ends.Keys.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
        var remaining = ends.Count(e => e.Value > 0);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (remaining > 0 && DateTime.UtcNow < deadline)
        {
            var record = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (record is null || record.IsPartitionEOF)
            {
                continue;
            }

            var id = OrderPlaced.Parser.ParseFrom(record.Message.Value).EventId;
            counts[id] = counts.GetValueOrDefault(id) + 1;
            if (record.Offset.Value + 1 == ends[record.TopicPartition])
            {
                remaining--;
            }
        }

        consumer.Close();
        return counts;
    }
}
