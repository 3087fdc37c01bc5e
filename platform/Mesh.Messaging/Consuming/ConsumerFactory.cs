using Confluent.Kafka;
using Mesh.Messaging.Configuration;
using Mesh.Messaging.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Consuming;

/// <summary>Builds the group consumer with its logging, statistics, error and rebalance callbacks.</summary>
internal sealed class ConsumerFactory(IOptions<KafkaOptions> options, KafkaClientMonitor clients, ILogger<KafkaConsumerService> logger)
{
    public const string ClientName = "consumer";

    public IConsumer<string, byte[]> Create(ConsumerCallbacks callbacks) =>
        new ConsumerBuilder<string, byte[]>(KafkaClientConfigs.Consumer(options.Value))
            .SetErrorHandler((_, error) => OnError(error, callbacks.Fatal))
            .SetLogHandler((_, message) => KafkaLogBridge.Write(logger, message))
            .SetStatisticsHandler((_, json) => clients.Report(ClientName, options.Value.ConsumerGroup, json))
            .SetPartitionsAssignedHandler((_, partitions) => callbacks.Assigned(partitions))
            .SetPartitionsRevokedHandler((consumer, partitions) => callbacks.Revoked(consumer, partitions))
            .SetPartitionsLostHandler((consumer, partitions) => callbacks.Lost(consumer, partitions))
            .Build();

    private void OnError(Error error, Action onFatal)
    {
        if (!error.IsFatal)
        {
            Log.ClientError(logger, error.Code, error.Reason);
            return;
        }

        Log.FatalError(logger, "consumer", error.Code, error.Reason);
        onFatal();
    }
}
