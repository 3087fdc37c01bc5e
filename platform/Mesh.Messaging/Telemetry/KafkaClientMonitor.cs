using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;

namespace Mesh.Messaging.Telemetry;

/// <summary>
/// The latest statistics of the process's Kafka clients (the producer and the consumer), which
/// the lag and broker gauges observe and the kafka health check judges. Clients report from their
/// own threads; readers get immutable snapshots.
/// </summary>
internal sealed class KafkaClientMonitor(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ClientState> _clients = new();

    public IReadOnlyDictionary<string, ClientState> Clients => _clients;

    /// <summary>Takes a statistics report of <paramref name="client"/> ("producer", "consumer").</summary>
    public void Report(string client, string? consumerGroup, string json)
    {
        KafkaStatistics statistics;
        try
        {
            statistics = KafkaStatistics.Parse(json);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return; // A report of another shape costs the gauges one interval, nothing more.
        }

        var now = time.GetUtcNow();
        _clients.AddOrUpdate(client,
            _ => new ClientState(statistics, consumerGroup, statistics.Connecting && !statistics.AnyConnectionUp ? now : null),
            (_, previous) => new ClientState(statistics, consumerGroup, UnreachableSince(statistics, previous, now)));
    }

    /// <summary>Forgets a closed client, so its last lag is not reported forever.</summary>
    public void Remove(string client) => _clients.TryRemove(client, out _);

    public IEnumerable<Measurement<long>> ObserveLag() =>
        from client in _clients.Values
        where client.ConsumerGroup is not null
        from lag in client.Statistics.Lags
        select new Measurement<long>(lag.Lag, new TagList
        {
            { "messaging.system", "kafka" },
            { "messaging.consumer.group.name", client.ConsumerGroup },
            { "messaging.destination.name", lag.Topic },
            { "messaging.destination.partition.id", lag.Partition.ToString(CultureInfo.InvariantCulture) },
        });

    public IEnumerable<Measurement<int>> ObserveBrokersUp() =>
        _clients.Select(client => new Measurement<int>(client.Value.Statistics.BrokersUp,
            new KeyValuePair<string, object?>("messaging.system", "kafka"),
            new KeyValuePair<string, object?>("mesh.kafka.client", client.Key)));

    // Between two connection attempts an unreachable broker rests in INIT, like one that was never
    // needed; so once attempts failed, the client stays unreachable until a report shows one up.
    // A refused connection leaves CONNECT within milliseconds, so a report may never catch one
    // connecting: losing every connection the previous report had up counts as unreachable too
    // (librdkafka keeps idle connections open by default, so a lost one is not just idleness).
    private static DateTimeOffset? UnreachableSince(KafkaStatistics statistics, ClientState previous, DateTimeOffset now) =>
        statistics.AnyConnectionUp ? null
        : previous.UnreachableSince ?? (statistics.Connecting || previous.Statistics.AnyConnectionUp ? now : null);
}

/// <summary>One client's latest statistics, and since when it has been unable to reach any broker.</summary>
internal sealed record ClientState(KafkaStatistics Statistics, string? ConsumerGroup, DateTimeOffset? UnreachableSince);
