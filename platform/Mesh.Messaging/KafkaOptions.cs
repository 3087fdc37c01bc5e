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

    /// <summary>librdkafka producer properties, e.g. <c>linger.ms</c>.</summary>
    public Dictionary<string, string> Producer { get; set; } = [];

    /// <summary>librdkafka consumer properties, e.g. <c>fetch.wait.max.ms</c>.</summary>
    public Dictionary<string, string> Consumer { get; set; } = [];

    /// <summary>What happens when a handler throws.</summary>
    public HandlerRetryOptions HandlerRetry { get; set; } = new();

    /// <summary>How long shutdown waits for the producer to deliver what it still holds.</summary>
    public TimeSpan ShutdownFlushTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
