using System.Collections.Frozen;
using Confluent.Kafka;

namespace Mesh.Messaging.Configuration;

/// <summary>
/// Builds librdkafka configurations: defaults first, then the pass-through properties from
/// configuration, then the settings the delivery guarantees depend on, which always win
/// (<see cref="KafkaOptionsValidator"/> rejects attempts to override them).
/// </summary>
internal static class KafkaClientConfigs
{
    public static readonly FrozenSet<string> ReservedClientKeys =
        FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "bootstrap.servers", "group.id", "enable.idempotence", "acks", "enable.auto.commit", "enable.auto.offset.store");

    public static readonly FrozenSet<string> ReservedProducerKeys =
        FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "bootstrap.servers", "enable.idempotence", "acks");

    public static readonly FrozenSet<string> ReservedConsumerKeys = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, "bootstrap.servers", "group.id", "enable.auto.commit", "enable.auto.offset.store");

    /// <summary>Statistics feed the lag and broker metrics and the kafka health check.</summary>
    public const int DefaultStatisticsIntervalMs = 5000;

    public static ProducerConfig Producer(KafkaOptions options)
    {
        var config = new ProducerConfig();
        options.ApplyClientSettings(config);
        foreach (var (key, value) in options.Producer)
        {
            config.Set(key, value);
        }

        config.StatisticsIntervalMs ??= DefaultStatisticsIntervalMs;
        config.BootstrapServers = options.BootstrapServers;
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        return config;
    }

    public static ConsumerConfig Consumer(KafkaOptions options)
    {
        var config = new ConsumerConfig { AutoOffsetReset = AutoOffsetReset.Earliest, StatisticsIntervalMs = DefaultStatisticsIntervalMs };
        options.ApplyClientSettings(config);
        foreach (var (key, value) in options.Consumer)
        {
            config.Set(key, value);
        }

        config.BootstrapServers = options.BootstrapServers;
        config.GroupId = options.ConsumerGroup;
        // At least once: librdkafka commits in the background only what StoreOffset marked as
        // done, and the consumer stores only offsets below which every record's outcome was decided.
        config.EnableAutoCommit = true;
        config.EnableAutoOffsetStore = false;
        return config;
    }
}
