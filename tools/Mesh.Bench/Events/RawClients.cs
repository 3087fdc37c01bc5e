using Confluent.Kafka;

namespace Mesh.Bench.Events;

/// <summary>
/// The Confluent.Kafka clients a service would write by hand, configured as Mesh.Messaging
/// configures its own: idempotent producer with acks=all; consumer storing each offset after the
/// record and committing in the background, from the earliest offset.
/// </summary>
public static class RawClients
{
    public const string FetchWaitMaxMs = "10";

    public static IProducer<string, byte[]> Producer(string bootstrap) =>
        new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
        }).SetLogHandler((_, _) => { }).Build();

    public static IConsumer<string, byte[]> Consumer(string bootstrap, string group)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
            SessionTimeoutMs = 6000,
        };
        config.Set("fetch.wait.max.ms", FetchWaitMaxMs);
        return new ConsumerBuilder<string, byte[]>(config).SetLogHandler((_, _) => { }).Build();
    }
}
