using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Mesh.Contracts;
using Mesh.Messaging.Publishing;
using Mesh.Messaging.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Consuming;

/// <summary>
/// Writes a record that cannot be handled to <c>&lt;topic&gt;.dlq</c>, on the same partition number
/// (so its key keeps one partition and one order there too), with the original key, value and
/// headers plus <see cref="DeadLetterHeaders"/>. It retries until the broker persisted the dead
/// letter, since only then may the original's offset be committed. A dead letter refused for good
/// (too large once the headers are added, say) would be retried forever and stall its key, so it
/// is written once more without the value; only a refusal of that too is retried as usual.
/// </summary>
internal sealed class DeadLetterWriter(
    KafkaEventPublisher publisher,
    MessagingMetrics metrics,
    IOptions<KafkaOptions> options,
    TimeProvider time,
    ILogger<DeadLetterWriter> logger)
{
    private const int MaxErrorMessageLength = 2000;

    /// <summary>
    /// True once the dead letter is persisted; false when the partition stopped first (the
    /// original stays uncommitted and its next owner dead-letters it again).
    /// </summary>
    public async Task<bool> WriteAsync(ConsumeResult<string, byte[]> record, DeadLetterCause cause, PartitionTracker partition)
    {
        var target = new TopicPartition(Topics.DeadLetter(record.Topic), record.Partition);
        var message = Build(record, cause);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await publisher.ProduceAsync(target, message, partition.Cancelled);
                metrics.DeadLettered(record.Topic, options.Value.ConsumerGroup, cause.Reason);
                Log.DeadLettered(logger, record.Topic, record.Partition.Value, record.Offset.Value, target.Topic, cause.Reason, cause.Attempts);
                return true;
            }
            catch (KafkaException exception) when (!partition.Stopping.IsCancellationRequested
                && message.Value is { } value && KafkaErrors.RefusedForGood(exception.Error.Code))
            {
                // Once, and at once: the retry below is for a broker that may come back.
                Log.DeadLetterValueDropped(logger, record.Topic, record.Partition.Value, record.Offset.Value, target.Topic,
                    exception.Error.Code, exception.Error.Reason, value.Length);
                message.Value = null!; // A record without a value, as Kafka allows.
                Set(message.Headers, DeadLetterHeaders.ValueDropped, string.Create(CultureInfo.InvariantCulture,
                    $"{value.Length} bytes; {exception.Error.Code}: {exception.Error.Reason}"));
                attempt = 0;
            }
            catch (KafkaException exception) when (!partition.Stopping.IsCancellationRequested)
            {
                var backoff = options.Value.HandlerRetry.BackoffAfter(attempt, Random.Shared.NextDouble());
                Log.DeadLetterFailed(logger, target.Topic, record.Partition.Value, record.Topic, record.Offset.Value, attempt, backoff, exception.Error.Reason);
                if (!await DelayAsync(backoff, partition.Stopping))
                {
                    return false;
                }
            }
            catch (Exception) when (partition.Stopping.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private Message<string, byte[]> Build(ConsumeResult<string, byte[]> record, DeadLetterCause cause)
    {
        var headers = new Headers();
        foreach (var header in record.Message.Headers ?? Enumerable.Empty<IHeader>())
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        var errorMessage = cause.ErrorMessage.Length > MaxErrorMessageLength ? cause.ErrorMessage[..MaxErrorMessageLength] : cause.ErrorMessage;
        Set(headers, DeadLetterHeaders.Reason, cause.Reason);
        Set(headers, DeadLetterHeaders.ErrorType, cause.ErrorType);
        Set(headers, DeadLetterHeaders.ErrorMessage, errorMessage);
        Set(headers, DeadLetterHeaders.Attempts, cause.Attempts.ToString(CultureInfo.InvariantCulture));
        Set(headers, DeadLetterHeaders.SourceTopic, record.Topic);
        Set(headers, DeadLetterHeaders.SourcePartition, record.Partition.Value.ToString(CultureInfo.InvariantCulture));
        Set(headers, DeadLetterHeaders.SourceOffset, record.Offset.Value.ToString(CultureInfo.InvariantCulture));
        Set(headers, DeadLetterHeaders.SourceTimestamp, record.Message.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        Set(headers, DeadLetterHeaders.ConsumerGroup, options.Value.ConsumerGroup);
        Set(headers, DeadLetterHeaders.Time, time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        Set(headers, DeadLetterHeaders.ValueDropped, null);
        return new Message<string, byte[]> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers };
    }

    // A record replayed from a dead-letter topic may carry old dead-letter headers; the new ones win.
    private static void Set(Headers headers, string name, string? value)
    {
        headers.Remove(name);
        if (value is not null)
        {
            headers.Add(name, Encoding.UTF8.GetBytes(value));
        }
    }
}
