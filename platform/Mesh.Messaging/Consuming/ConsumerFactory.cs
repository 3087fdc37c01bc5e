using Confluent.Kafka;
using Mesh.Messaging.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Consuming;

/// <summary>Builds the group consumer with its logging, error and rebalance callbacks.</summary>
internal sealed class ConsumerFactory(IOptions<KafkaOptions> options, ILogger<KafkaConsumerService> logger)
{
    /// <param name="onFatal">Called (on the consuming thread) when the client hit a fatal error.</param>
    public IConsumer<string, byte[]> Create(Action onFatal) =>
        new ConsumerBuilder<string, byte[]>(KafkaClientConfigs.Consumer(options.Value))
            .SetErrorHandler((_, error) => OnError(error, onFatal))
            .SetLogHandler((_, message) => KafkaLogBridge.Write(logger, message))
            .SetPartitionsAssignedHandler((_, partitions) => Log.PartitionsAssigned(logger, string.Join(", ", partitions)))
            .SetPartitionsRevokedHandler((consumer, partitions) =>
            {
                Log.PartitionsRevoked(logger, string.Join(", ", partitions));
                CommitStoredOffsets(consumer);
            })
            .SetPartitionsLostHandler((_, partitions) => Log.PartitionsLost(logger, string.Join(", ", partitions)))
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

    // Revocation happens inside Consume, between two records, so every stored offset belongs to a
    // finished record; committing them now saves the next owner from handling them again.
    private void CommitStoredOffsets(IConsumer<string, byte[]> consumer)
    {
        try
        {
            consumer.Commit();
        }
        catch (KafkaException exception) when (exception.Error.Code == ErrorCode.Local_NoOffset)
        {
            // Nothing was stored since the last commit.
        }
        catch (KafkaException exception)
        {
            Log.CommitFailed(logger, exception.Error.Reason);
        }
    }
}
