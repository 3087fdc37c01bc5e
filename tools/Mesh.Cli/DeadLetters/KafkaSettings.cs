using Confluent.Kafka;
using Mesh.Contracts;

namespace Mesh.Cli.DeadLetters;

/// <summary>
/// How the dead-letter commands reach Kafka: the bootstrap servers, the client properties of the
/// deployment (security), and how long one broker operation may take before the command fails.
/// </summary>
public sealed record KafkaSettings(string BootstrapServers, IReadOnlyDictionary<string, string> Properties, TimeSpan Timeout)
{
    /// <summary>
    /// A consumer that reads by assignment and never joins a group. Its group id is the redrive
    /// group because the cursor is that group's committed offsets (read with OffsetFetch, written
    /// only by <c>redrive</c>); nothing is committed automatically.
    /// </summary>
    public ConsumerConfig Reader()
    {
        var config = new ConsumerConfig();
        Apply(config);
        config.GroupId = Topics.RedriveGroup;
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        config.EnablePartitionEof = true;
        config.AllowAutoCreateTopics = false;
        // The reader stops at the end of the log: a short wait there keeps every command quick
        // (the dev broker answers an empty fetch only after the whole wait).
        config.FetchWaitMaxMs = 100;
        return config;
    }

    /// <summary>Redriven records are persisted on every in-sync replica, exactly once per produce, or reported failed within the timeout.</summary>
    public ProducerConfig Redriver()
    {
        var config = new ProducerConfig();
        Apply(config);
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        config.MessageTimeoutMs = (int)Timeout.TotalMilliseconds;
        return config;
    }

    private void Apply(ClientConfig config)
    {
        foreach (var (key, value) in Properties)
        {
            config.Set(key, value);
        }

        config.BootstrapServers = BootstrapServers;
    }
}
