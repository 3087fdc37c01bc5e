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
/// Decides the fate of one record: handled, or dead-lettered, or waiting for a dependency. A
/// handler failure is one of three kinds (<see cref="FailureClassifier"/>): transient ones are
/// retried with backoff for as long as they last, since an outage is not a poison record; a
/// rejection is dead-lettered at once; anything else is retried up to Kafka:HandlerRetry:MaxAttempts
/// and then dead-lettered. A record that is not an event this consumer knows is dead-lettered at
/// once. Handled or dead-lettered, it is finished and its offset may be committed. When its
/// partition stops first (revocation, shutdown) it is abandoned: unfinished, uncommitted, redelivered.
/// </summary>
internal sealed class RecordProcessor(
    IEnumerable<IEventDispatcher> dispatchers,
    IServiceScopeFactory scopes,
    DeadLetterWriter deadLetters,
    FailureClassifier classifier,
    StalledRecords stalls,
    MessagingActivities activities,
    MessagingMetrics metrics,
    IOptions<KafkaOptions> options,
    TimeProvider time,
    ILogger<RecordProcessor> logger)
{
    // A record stalled for the length of an outage logs when it starts, then at most this often.
    private static readonly TimeSpan StillStalledLogInterval = TimeSpan.FromMinutes(1);

    // By the message-type header as the bytes it arrives in (one dispatcher per type: AddConsumer
    // refuses a second). A consumer handles a few types, so comparing bytes finds the dispatcher
    // without decoding a string for every record.
    private readonly (byte[] Type, IEventDispatcher Dispatcher)[] _byType =
        [.. dispatchers.Select(d => (Encoding.UTF8.GetBytes(d.Contract.MessageType), d))];

    public IReadOnlyCollection<string> Topics => _byType.Select(entry => entry.Dispatcher.Contract.Topic).Distinct().ToList();

    /// <summary>True when finished (handled or dead-lettered), false when abandoned.</summary>
    /// <param name="slots">Taken for each handler attempt (not during backoff or dead-lettering).</param>
    public async Task<bool> ProcessAsync(ConsumeResult<string, byte[]> record, PartitionTracker partition, SemaphoreSlim slots)
    {
        var group = options.Value.ConsumerGroup;
        metrics.Consumed(record.Topic, record.Partition.Value, group);
        // Both are async-local: set here, they belong to this record's flow only. Setting one
        // copies the flow's context, so baggage is set only when there is some to set or clear.
        var parent = TraceContextHeaders.Extract(record.Message.Headers);
        if (parent.Baggage.Count > 0 || Baggage.Current.Count > 0)
        {
            Baggage.Current = parent.Baggage;
        }
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
        var unclassified = 0;
        RecordStall? stall = null;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var failure = await AttemptAsync(dispatcher, @event, metadata, partition, slots);
                if (failure is null)
                {
                    if (stall is not null)
                    {
                        Log.RecordRecovered(logger, record.Topic, record.Partition.Value, record.Offset.Value, metadata.Key,
                            time.GetUtcNow() - stall.Since, attempt);
                    }

                    return true;
                }

                var (kind, cause) = classifier.Classify(failure);
                if (kind == FailureKind.Rejected)
                {
                    Log.HandlerRejected(logger, dispatcher.Contract.MessageType, record.Topic, record.Partition.Value, record.Offset.Value, cause.Message);
                    return await DeadLetterAsync(record, DeadLetterHeaders.ReasonRejected, cause, attempt, partition, activity);
                }

                if (kind == FailureKind.Unclassified && ++unclassified >= retry.MaxAttempts)
                {
                    Log.HandlerGaveUp(logger, dispatcher.Contract.MessageType, record.Topic, record.Partition.Value, record.Offset.Value, attempt, failure);
                    return await DeadLetterAsync(record, DeadLetterHeaders.ReasonHandlerFailed, failure, attempt, partition, activity);
                }

                var backoff = retry.BackoffAfter(attempt, Random.Shared.NextDouble());
                if (kind == FailureKind.Transient)
                {
                    stall = Stalled(stall, record, dispatcher, cause, attempt);
                }
                else
                {
                    Log.HandlerRetrying(logger, dispatcher.Contract.MessageType, record.Topic, record.Partition.Value,
                        record.Offset.Value, unclassified, retry.MaxAttempts, backoff, failure);
                }

                metrics.Retried(record.Topic, options.Value.ConsumerGroup, kind);
                await Task.Delay(backoff, time, partition.Stopping);
            }
        }
        finally
        {
            if (stall is not null)
            {
                stalls.End(stall);
            }
        }
    }

    /// <summary>
    /// Counts a transient failure: the first one starts the record's stall (and logs it), later
    /// ones log at most once a minute, so an outage of many keys does not log every retry.
    /// </summary>
    private RecordStall Stalled(RecordStall? stall, ConsumeResult<string, byte[]> record, IEventDispatcher dispatcher, Exception cause, int attempt)
    {
        var errorType = cause.GetType().FullName ?? cause.GetType().Name;
        if (stall is null)
        {
            stall = stalls.Start(record, cause, attempt);
            Log.RecordStalled(logger, record.Topic, record.Partition.Value, record.Offset.Value, stall.Key,
                dispatcher.Contract.MessageType, errorType, cause.Message);
            return stall;
        }

        var now = time.GetUtcNow();
        stall.Failed(cause, attempt, now);
        if (now - stall.LastLogged >= StillStalledLogInterval)
        {
            stall.LastLogged = now;
            Log.RecordStillStalled(logger, record.Topic, record.Partition.Value, record.Offset.Value, stall.Key,
                now - stall.Since, attempt, errorType, cause.Message);
        }

        return stall;
    }

    private Task<bool> DeadLetterAsync(ConsumeResult<string, byte[]> record, string reason, Exception failure, int attempts,
        PartitionTracker partition, Activity? activity)
    {
        MessagingActivities.SetError(activity, failure);
        var cause = new DeadLetterCause(reason, failure.GetType().FullName, failure.Message, attempts);
        return deadLetters.WriteAsync(record, cause, partition);
    }

    /// <summary>Null when handled, the handler's exception when it failed; throws when the partition stopped.</summary>
    private async Task<Exception?> AttemptAsync(IEventDispatcher dispatcher, IMessage @event, EventMetadata metadata,
        PartitionTracker partition, SemaphoreSlim slots)
    {
        await slots.WaitAsync(partition.Stopping);
        // Two clock reads per record, skipped while nothing records the duration.
        long? started = metrics.TimesProcessing ? time.GetTimestamp() : null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await dispatcher.DispatchAsync(scope.ServiceProvider, @event, metadata, partition.Cancelled);
            metrics.Processed(metadata.Topic, metadata.Partition, options.Value.ConsumerGroup, Since(started), failure: null);
            return null;
        }
        catch (Exception exception) when (!partition.Cancelled.IsCancellationRequested)
        {
            metrics.Processed(metadata.Topic, metadata.Partition, options.Value.ConsumerGroup, Since(started), exception);
            return exception;
        }
        finally
        {
            slots.Release();
        }
    }

    private TimeSpan? Since(long? started) => started is { } timestamp ? time.GetElapsedTime(timestamp) : null;

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

        dispatcher = Find(typeBytes);
        if (dispatcher is null)
        {
            cause = new DeadLetterCause(
                DeadLetterHeaders.ReasonUnknownType, null, $"No handler for message type '{Encoding.UTF8.GetString(typeBytes)}'.", 0);
            return false;
        }

        var messageType = dispatcher.Contract.MessageType;
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

    private IEventDispatcher? Find(byte[] typeBytes)
    {
        foreach (var (type, dispatcher) in _byType)
        {
            if (typeBytes.AsSpan().SequenceEqual(type))
            {
                return dispatcher;
            }
        }

        return null;
    }
}
