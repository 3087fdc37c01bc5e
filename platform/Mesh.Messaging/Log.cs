using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Mesh.Messaging;

/// <summary>Every log event of Mesh.Messaging, as compile-time message templates.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "Publishing {MessageType} to {Topic} failed: {Reason}")]
    public static partial void PublishFailed(ILogger logger, string messageType, string topic, string reason, Exception exception);

    [LoggerMessage(2, LogLevel.Warning, "Producer flush timed out with {Remaining} record(s) undelivered")]
    public static partial void FlushIncomplete(ILogger logger, int remaining);

    [LoggerMessage(3, LogLevel.Warning, "Kafka client error {ErrorCode}: {Reason}")]
    public static partial void ClientError(ILogger logger, ErrorCode errorCode, string reason);

    [LoggerMessage(4, LogLevel.Critical, "Fatal Kafka {Client} error {ErrorCode}: {Reason}; stopping the application")]
    public static partial void FatalError(ILogger logger, string client, ErrorCode errorCode, string reason);

    [LoggerMessage(10, LogLevel.Information, "Consumer group {ConsumerGroup} subscribing to {Topics}")]
    public static partial void Subscribing(ILogger logger, string consumerGroup, string topics);

    [LoggerMessage(11, LogLevel.Information, "Partitions assigned: {Partitions}")]
    public static partial void PartitionsAssigned(ILogger logger, string partitions);

    [LoggerMessage(12, LogLevel.Information, "Partitions revoked: {Partitions}; committing stored offsets")]
    public static partial void PartitionsRevoked(ILogger logger, string partitions);

    [LoggerMessage(13, LogLevel.Warning, "Partitions lost: {Partitions}; their uncommitted records will be redelivered")]
    public static partial void PartitionsLost(ILogger logger, string partitions);

    [LoggerMessage(14, LogLevel.Warning, "Committing stored offsets failed: {Reason}")]
    public static partial void CommitFailed(ILogger logger, string reason);

    [LoggerMessage(15, LogLevel.Warning, "Consume failed with {ErrorCode}: {Reason}")]
    public static partial void ConsumeFailed(ILogger logger, ErrorCode errorCode, string reason);

    [LoggerMessage(16, LogLevel.Warning, "Storing offset {Offset} of {Topic} [{Partition}] failed: {Reason}")]
    public static partial void StoreOffsetFailed(ILogger logger, long offset, string topic, int partition, string reason);

    [LoggerMessage(17, LogLevel.Critical, "Consumer loop crashed; stopping the application")]
    public static partial void ConsumerCrashed(ILogger logger, Exception exception);

    [LoggerMessage(18, LogLevel.Warning, "Closing the consumer failed: {Reason}")]
    public static partial void CloseFailed(ILogger logger, string reason);

    [LoggerMessage(20, LogLevel.Warning, "Skipping {Topic} [{Partition}] @{Offset}: no " + MessageHeaders.MessageType + " header")]
    public static partial void SkippedWithoutType(ILogger logger, string topic, int partition, long offset);

    [LoggerMessage(21, LogLevel.Warning, "Skipping {Topic} [{Partition}] @{Offset}: no handler for message type {MessageType}")]
    public static partial void SkippedUnknownType(ILogger logger, string topic, int partition, long offset, string messageType);

    [LoggerMessage(22, LogLevel.Warning, "Skipping {Topic} [{Partition}] @{Offset}: payload is not a valid {MessageType}")]
    public static partial void SkippedUnparsable(ILogger logger, string topic, int partition, long offset, string messageType, Exception? exception);

    [LoggerMessage(23, LogLevel.Warning, "Handler for {MessageType} failed on {Topic} [{Partition}] @{Offset}, attempt {Attempt} of {MaxAttempts}; retrying in {Backoff}")]
    public static partial void HandlerRetrying(ILogger logger, string messageType, string topic, int partition, long offset, int attempt, int maxAttempts, TimeSpan backoff, Exception exception);

    [LoggerMessage(24, LogLevel.Error, "Handler for {MessageType} failed on {Topic} [{Partition}] @{Offset} after {Attempts} attempt(s); skipping the record")]
    public static partial void HandlerGaveUp(ILogger logger, string messageType, string topic, int partition, long offset, int attempts, Exception exception);
}
