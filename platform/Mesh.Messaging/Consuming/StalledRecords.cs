using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Consuming;

/// <summary>
/// The records of this consumer in transient retry (a dependency down: they wait, they are not
/// dead-lettered), for the stall gauges and the stall health check.
/// </summary>
internal sealed class StalledRecords(TimeProvider time, IOptions<KafkaOptions> options)
{
    private readonly ConcurrentDictionary<RecordStall, byte> _stalls = new();

    // Every partition that had a stall, so that its gauges go back to 0 instead of vanishing.
    private readonly ConcurrentDictionary<(string Topic, int Partition), byte> _partitions = new();

    public RecordStall Start(ConsumeResult<string, byte[]> record, Exception cause, int attempts)
    {
        var now = time.GetUtcNow();
        var stall = new RecordStall(record.Topic, record.Partition.Value, record.Message.Key ?? "", record.Offset.Value, now);
        stall.Failed(cause, attempts, now);
        _partitions.TryAdd((stall.Topic, stall.Partition), 0);
        _stalls.TryAdd(stall, 0);
        return stall;
    }

    /// <summary>The record succeeded, was dead-lettered or abandoned.</summary>
    public void End(RecordStall stall) => _stalls.TryRemove(stall, out _);

    public IReadOnlyList<RecordStall> Current() => [.. _stalls.Keys];

    public IEnumerable<Measurement<int>> ObserveCount() =>
        ByPartition().Select(p => new Measurement<int>(p.Stalls.Count, Tags(p.Topic, p.Partition)));

    public IEnumerable<Measurement<double>> ObserveOldestAge()
    {
        var now = time.GetUtcNow();
        return ByPartition().Select(p => new Measurement<double>(
            p.Stalls.Count == 0 ? 0 : Math.Max(0, (now - p.Stalls.Min(s => s.Since)).TotalSeconds), Tags(p.Topic, p.Partition)));
    }

    private IEnumerable<(string Topic, int Partition, List<RecordStall> Stalls)> ByPartition()
    {
        var current = Current();
        return _partitions.Keys.Select(p => (p.Topic, p.Partition, current.Where(s => s.Topic == p.Topic && s.Partition == p.Partition).ToList()));
    }

    private TagList Tags(string topic, int partition) => new()
    {
        { "messaging.system", "kafka" },
        { "messaging.destination.name", topic },
        { "messaging.destination.partition.id", partition.ToString(CultureInfo.InvariantCulture) },
        { "messaging.consumer.group.name", options.Value.ConsumerGroup },
    };
}
