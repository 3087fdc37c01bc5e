using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Confluent.Kafka;
using Google.Protobuf;
using Mesh.Messaging.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace Mesh.Messaging.Consuming;

/// <summary>
/// Decides the fate of one record: handled, or dead-lettered after the handler's last attempt, or
/// at once when it is not an event this consumer knows. Either way it is finished and its offset
/// may be committed. When its partition stops first (revocation, shutdown) it is abandoned:
/// unfinished, uncommitted, redelivered.
/// </summary>
internal sealed class RecordProcessor(
    IEnumerable<IEventDispatcher> dispatchers,
    IServiceScopeFactory scopes,
    DeadLetterWriter deadLetters,
    MessagingActivities activities,
    MessagingMetrics metrics,
    IOptions<KafkaOptions> options,
    TimeProvider time,
    ILogger<RecordProcessor> logger)
{
    private readonly Dictionary<string, IEventDispatcher> _byType = dispatchers.ToDictionary(d => d.Contract.MessageType);

    public IReadOnlyCollection<string> Topics => _byType.Values.Select(d => d.Contract.Topic).Distinct().ToList();

    /// <summary>True when finished (handled or dead-lettered), false when abandoned.</summary>
    /// <param name="slots">Taken for each handler attempt (not during backoff or dead-lettering).</param>
    public async Task<bool> ProcessAsync(ConsumeResult<string, byte[]> record, PartitionTracker partition, SemaphoreSlim slots)
    {
        var group = options.Value.ConsumerGroup;
        metrics.Consumed(record.Topic, record.Partition.Value, group);
        // Both are async-local: set here, they belong to this record's flow only.
        var parent = TraceContextHeaders.Extract(record.Message.Headers);
        Baggage.Current = parent.Baggage;
        using var activity = activities.StartProcess(record, group, parent.ActivityContext);
        try
        {
            if (!TryParse(record, out var dispatcher, out var @event, out var cause))
            {
                activity?.SetStatus(ActivityStatusCode.Error, $"dead-lettered: {cause.Reason}");
                return await deadLetters.WriteAsync(record, cause, partition);
            }

            return await HandleAsync(record, dispatcher, @event, partition, slots, activity);
        }
        catch (Exception) when (partition.Stopping.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "abandoned: partition revoked or consumer stopping");
            Log.Abandoned(logger, record.Topic, record.Partition.Value, record.Offset.Value);
            return false;
        }
    }

    private async Task<bool> HandleAsync(ConsumeResult<string, byte[]> record, IEventDispatcher dispatcher, IMessage @event,
        PartitionTracker partition, SemaphoreSlim slots, Activity? activity)
    {
        var metadata = new EventMetadata(record.Topic, record.Partition.Value, record.Offset.Value,
            record.Message.Key ?? "", new DateTimeOffset(record.Message.Timestamp.UtcDateTime));
        var retry = options.Value.HandlerRetry;
        for (var attempt = 1; ; attempt++)
        {
            var failure = await AttemptAsync(dispatcher, @event, metadata, partition, slots);
            if (failure is null)
            {
                return true;
            }

            if (attempt >= retry.MaxAttempts)
            {
                Log.HandlerGaveUp(logger, dispatcher.Contract.MessageType, record.Topic, record.Partition.Value, record.Offset.Value, attempt, failure);
                MessagingActivities.SetError(activity, failure);
                var cause = new DeadLetterCause(DeadLetterHeaders.ReasonHandlerFailed, failure.GetType().FullName, failure.Message, attempt);
                return await deadLetters.WriteAsync(record, cause, partition);
            }

            var backoff = retry.BackoffAfter(attempt, Random.Shared.NextDouble());
            Log.HandlerRetrying(logger, dispatcher.Contract.MessageType, record.Topic, record.Partition.Value,
                record.Offset.Value, attempt, retry.MaxAttempts, backoff, failure);
            metrics.Retried(record.Topic, options.Value.ConsumerGroup);
            await Task.Delay(backoff, time, partition.Stopping);
        }
    }

    /// <summary>Null when handled, the handler's exception when it failed; throws when the partition stopped.</summary>
    private async Task<Exception?> AttemptAsync(IEventDispatcher dispatcher, IMessage @event, EventMetadata metadata,
        PartitionTracker partition, SemaphoreSlim slots)
    {
        await slots.WaitAsync(partition.Stopping);
        var started = time.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await dispatcher.DispatchAsync(scope.ServiceProvider, @event, metadata, partition.Cancelled);
            metrics.Processed(metadata.Topic, metadata.Partition, options.Value.ConsumerGroup, time.GetElapsedTime(started), failure: null);
            return null;
        }
        catch (Exception exception) when (!partition.Cancelled.IsCancellationRequested)
        {
            metrics.Processed(metadata.Topic, metadata.Partition, options.Value.ConsumerGroup, time.GetElapsedTime(started), exception);
            return exception;
        }
        finally
        {
            slots.Release();
        }
    }

    private bool TryParse(ConsumeResult<string, byte[]> record, [NotNullWhen(true)] out IEventDispatcher? dispatcher,
        [NotNullWhen(true)] out IMessage? @event, [NotNullWhen(false)] out DeadLetterCause? cause)
    {
        dispatcher = null;
        @event = null;
        cause = null;
        if (record.Message.Headers is not { } headers || !headers.TryGetLastBytes(MessageHeaders.MessageType, out var typeBytes) || typeBytes is null)
        {
            cause = new DeadLetterCause(DeadLetterHeaders.ReasonMissingType, null, $"The record has no {MessageHeaders.MessageType} header.", 0);
            return false;
        }

        var messageType = Encoding.UTF8.GetString(typeBytes);
        if (!_byType.TryGetValue(messageType, out dispatcher))
        {
            cause = new DeadLetterCause(DeadLetterHeaders.ReasonUnknownType, null, $"No handler for message type '{messageType}'.", 0);
            return false;
        }

        if (record.Message.Value is not { } payload)
        {
            cause = new DeadLetterCause(DeadLetterHeaders.ReasonUnparsable, null, $"The record has no value, so it is no {messageType}.", 0);
            return false;
        }

        try
        {
            @event = dispatcher.Parse(payload);
            return true;
        }
        catch (InvalidProtocolBufferException exception)
        {
            cause = new DeadLetterCause(DeadLetterHeaders.ReasonUnparsable, exception.GetType().FullName,
                $"The payload is not a valid {messageType}: {exception.Message}", 0);
            return false;
        }
    }
}
