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

    [LoggerMessage(12, LogLevel.Information, "Partitions revoked: {Partitions}; draining them and committing what finished")]
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

    [LoggerMessage(19, LogLevel.Debug, "Paused fetching with {Buffered} record(s) unfinished")]
    public static partial void Paused(ILogger logger, int buffered);

    [LoggerMessage(20, LogLevel.Debug, "Resumed fetching with {Buffered} record(s) unfinished")]
    public static partial void Resumed(ILogger logger, int buffered);

    [LoggerMessage(21, LogLevel.Warning, "{Unfinished} record(s) still in progress after {DrainTimeout}; cancelling their handlers, they will be redelivered")]
    public static partial void DrainTimedOut(ILogger logger, int unfinished, TimeSpan drainTimeout);

    [LoggerMessage(22, LogLevel.Information, "Abandoned {Topic} [{Partition}] @{Offset}: its partition was revoked or the consumer is stopping; it stays uncommitted")]
    public static partial void Abandoned(ILogger logger, string topic, int partition, long offset);

    [LoggerMessage(23, LogLevel.Warning, "Handler for {MessageType} failed on {Topic} [{Partition}] @{Offset}, attempt {Attempt} of {MaxAttempts}; retrying in {Backoff}")]
    public static partial void HandlerRetrying(ILogger logger, string messageType, string topic, int partition, long offset, int attempt, int maxAttempts, TimeSpan backoff, Exception exception);

    [LoggerMessage(24, LogLevel.Error, "Handler for {MessageType} failed on {Topic} [{Partition}] @{Offset} after {Attempts} attempt(s); dead-lettering the record")]
    public static partial void HandlerGaveUp(ILogger logger, string messageType, string topic, int partition, long offset, int attempts, Exception exception);

    [LoggerMessage(25, LogLevel.Warning, "Dead-lettered {Topic} [{Partition}] @{Offset} to {DeadLetterTopic} ({Reason}, {Attempts} attempt(s))")]
    public static partial void DeadLettered(ILogger logger, string topic, int partition, long offset, string deadLetterTopic, string reason, int attempts);

    [LoggerMessage(26, LogLevel.Error, "Writing the dead letter of {Topic} @{Offset} to {DeadLetterTopic} [{Partition}] failed (attempt {Attempt}): {Reason}; retrying in {Backoff}, the key waits")]
    public static partial void DeadLetterFailed(ILogger logger, string deadLetterTopic, int partition, string topic, long offset, int attempt, TimeSpan backoff, string reason);

    [LoggerMessage(27, LogLevel.Critical, "Processing {Topic} [{Partition}] @{Offset} crashed; the record stays uncommitted, its partition stops and the application stops so that a restart redelivers it")]
    public static partial void RecordCrashed(ILogger logger, string topic, int partition, long offset, Exception exception);

    [LoggerMessage(28, LogLevel.Warning, "Resuming the departing partitions {Partitions} failed: {Reason}; if assigned again they may stay paused")]
    public static partial void ResumeFailed(ILogger logger, string partitions, string reason);

    [LoggerMessage(29, LogLevel.Error, "The dead letter of {Topic} [{Partition}] @{Offset} was refused for good ({Code}: {Reason}); writing it to {DeadLetterTopic} without its {Size}-byte value")]
    public static partial void DeadLetterValueDropped(ILogger logger, string topic, int partition, long offset, string deadLetterTopic, ErrorCode code, string reason, int size);

    [LoggerMessage(30, LogLevel.Warning, "{Topic} [{Partition}] @{Offset} (key {Key}) is stalled: the handler for {MessageType} failed transiently with {ErrorType}: {ErrorMessage}; retrying until it succeeds, not dead-lettering it; the key waits")]
    public static partial void RecordStalled(ILogger logger, string topic, int partition, long offset, string key, string messageType, string errorType, string errorMessage);

    [LoggerMessage(31, LogLevel.Warning, "{Topic} [{Partition}] @{Offset} (key {Key}) is still stalled after {Stalled} and {Attempts} attempt(s); last error {ErrorType}: {ErrorMessage}")]
    public static partial void RecordStillStalled(ILogger logger, string topic, int partition, long offset, string key, TimeSpan stalled, int attempts, string errorType, string errorMessage);

    [LoggerMessage(32, LogLevel.Information, "{Topic} [{Partition}] @{Offset} (key {Key}) recovered: handled after {Stalled} stalled and {Attempts} attempt(s)")]
    public static partial void RecordRecovered(ILogger logger, string topic, int partition, long offset, string key, TimeSpan stalled, int attempts);

    [LoggerMessage(33, LogLevel.Warning, "Handler for {MessageType} rejected {Topic} [{Partition}] @{Offset}: {Reason}; dead-lettering the record")]
    public static partial void HandlerRejected(ILogger logger, string messageType, string topic, int partition, long offset, string reason);

    [LoggerMessage(34, LogLevel.Debug, "Measuring the depth of {DeadLetterTopic} failed ({Code}: {Reason}); the gauge keeps its last value")]
    public static partial void DeadLetterDepthFailed(ILogger logger, string deadLetterTopic, ErrorCode code, string reason);

    [LoggerMessage(35, LogLevel.Debug, "Dead-letter depth client error {Code}: {Reason}")]
    public static partial void DeadLetterDepthClientError(ILogger logger, ErrorCode code, string reason);
}
