using Confluent.Kafka;

namespace Mesh.EventFaultTests.Infrastructure;

/// <summary>
/// A group's committed offsets against the end of each partition, read by a client that never
/// joins the group. Zero lag with every event applied means no record can be delivered again.
/// </summary>
public sealed class ConsumerLag(string bootstrap, string group, string topic, int partitions) : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly IConsumer<Ignore, Ignore> _client = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
    {
        BootstrapServers = bootstrap,
        GroupId = group,
        EnableAutoCommit = false,
    }).SetLogHandler((_, _) => { }).Build();

    private readonly List<TopicPartition> _partitions =
        Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToList();

    /// <summary>Records not yet committed by the group, summed over the partitions.</summary>
    public long Total()
    {
        var committed = _client.Committed(_partitions, RequestTimeout);
        return committed.Sum(c =>
        {
            var end = _client.QueryWatermarkOffsets(c.TopicPartition, RequestTimeout).High.Value;
            return end - Math.Max(c.Offset.Value, 0);
        });
    }

    public void Dispose()
    {
        _client.Close();
        _client.Dispose();
    }
}
