namespace Mesh.Messaging;

/// <summary>
/// Kafka connection and client settings, section <c>Kafka</c>. <see cref="Producer"/> and
/// <see cref="Consumer"/> are passed to librdkafka verbatim, so any client property can be tuned
/// from configuration (e.g. <c>Kafka:Consumer:fetch.wait.max.ms</c>) without code.
/// </summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    /// <summary>
    /// The environment variable read when <c>Kafka:BootstrapServers</c> is not set; it is read
    /// through configuration, so the host must include environment variables (the default does).
    /// </summary>
    public const string BootstrapServersVariable = "KAFKA_BOOTSTRAP_SERVERS";

    /// <summary>Comma-separated <c>host:port</c> list. Required.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>The consumer group of this service. Required when a consumer is registered.</summary>
    public string ConsumerGroup { get; set; } = "";

    /// <summary>
    /// librdkafka properties of every Kafka client of the process (producer, consumer, log readers):
    /// how to reach the brokers and who to be, e.g. <c>security.protocol</c> (<c>SSL</c> with the
    /// workload certificate as <c>ssl.certificate.location</c> and <c>ssl.key.location</c>, or
    /// <c>SASL_SSL</c> with <c>sasl.mechanism</c> SCRAM-SHA-512), <c>ssl.ca.location</c>. Producer
    /// and consumer properties override them.
    /// </summary>
    public Dictionary<string, string> Client { get; set; } = [];

    /// <summary>librdkafka producer properties, e.g. <c>linger.ms</c>.</summary>
    public Dictionary<string, string> Producer { get; set; } = [];

    /// <summary>librdkafka consumer properties, e.g. <c>fetch.wait.max.ms</c>.</summary>
    public Dictionary<string, string> Consumer { get; set; } = [];

    /// <summary>What happens when a handler throws.</summary>
    public HandlerRetryOptions HandlerRetry { get; set; } = new();

    /// <summary>
    /// Handlers running at once across all keys. Records of one key never run concurrently, so
    /// this bounds the parallelism between keys (and the load a consumer puts on Redis). Handlers
    /// mostly wait (for Redis, for a publish's acknowledgement), so a consumer handles at most
    /// about this many records per handler latency: at 32 the order service's consumer capped the
    /// whole saga near 640 orders/s on two cores; at 128, 1,050/s (docs/BENCHMARKS.md, "Saga").
    /// </summary>
    public int MaxConcurrency { get; set; } = 128;

    /// <summary>
    /// Records consumed but not yet finished (queued behind their key or in a handler). Beyond it
    /// the consumer pauses fetching until the count falls below it again, so a slow key or a
    /// retrying handler cannot fill the memory.
    /// </summary>
    public int MaxBufferedRecords { get; set; } = 1000;

    /// <summary>
    /// How long the buffer may stay full, with no record finishing, before the consumer pauses its
    /// partitions and goes back to polling. Until then it does not poll, so a rebalance waits up
    /// to this long for this member; after it, librdkafka drops what it prefetched and takes up to
    /// a second to fetch again once resumed, which on a CPU-starved machine costs more than it
    /// saves when paused too eagerly. Must stay well below the consumer's <c>max.poll.interval.ms</c>.
    /// </summary>
    public TimeSpan PauseAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long shutdown and partition revocation wait for handlers in progress before cancelling
    /// them. Their records are not committed and are redelivered, so handlers must be idempotent.
    /// Must stay well below the consumer's <c>max.poll.interval.ms</c>.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long shutdown waits for the producer to deliver what it still holds.</summary>
    public TimeSpan ShutdownFlushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a Kafka client may see no broker up before the <c>kafka</c> health check reports
    /// Unhealthy (readiness), so a short broker failover does not take the service out of rotation.
    /// </summary>
    public TimeSpan UnhealthyAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a record may wait out transient failures (a dependency down: it is retried, not
    /// dead-lettered) before the <c>kafka-stalled</c> health check reports Degraded.
    /// </summary>
    public TimeSpan StalledAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the dead-letter depth gauge asks the brokers for the dead-letter topics' offsets.</summary>
    public TimeSpan DeadLetterDepthInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Puts the <see cref="Client"/> properties (security, connection) into a client configuration of any kind.</summary>
    public void ApplyClientSettings(Confluent.Kafka.ClientConfig config)
    {
        foreach (var (key, value) in Client)
        {
            config.Set(key, value);
        }
    }
}
