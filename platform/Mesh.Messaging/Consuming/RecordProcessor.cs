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
/// Decides the fate of one record: handled, or skipped after logging. It returns only once that
/// is decided, so the caller may store the offset; it throws only when shutdown interrupted it,
/// and then the offset must not be stored.
/// </summary>
internal sealed class RecordProcessor(
    IEnumerable<IEventDispatcher> dispatchers,
    IServiceScopeFactory scopes,
    MessagingActivities activities,
    IOptions<KafkaOptions> options,
    TimeProvider time,
    ILogger<RecordProcessor> logger)
{
    private readonly Dictionary<string, IEventDispatcher> _byType = dispatchers.ToDictionary(d => d.Contract.MessageType);

    public IReadOnlyCollection<string> Topics => _byType.Values.Select(d => d.Contract.Topic).Distinct().ToList();

    public async Task ProcessAsync(ConsumeResult<string, byte[]> record, CancellationToken cancellationToken)
    {
        var parent = TraceContextHeaders.Extract(record.Message.Headers);
        Baggage.Current = parent.Baggage;
        using var activity = activities.StartProcess(record, options.Value.ConsumerGroup, parent.ActivityContext);

        if (!TryParse(record, out var dispatcher, out var @event))
        {
            activity?.SetStatus(ActivityStatusCode.Error, "skipped: not a known event");
            return;
        }

        var metadata = new EventMetadata(record.Topic, record.Partition.Value, record.Offset.Value,
            record.Message.Key ?? "", new DateTimeOffset(record.Message.Timestamp.UtcDateTime));
        var retry = options.Value.HandlerRetry;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await dispatcher.DispatchAsync(scope.ServiceProvider, @event, metadata, cancellationToken);
                return;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested && attempt < retry.MaxAttempts)
            {
                var backoff = retry.BackoffAfter(attempt);
                Log.HandlerRetrying(logger, dispatcher.Contract.MessageType, record.Topic, record.Partition.Value,
                    record.Offset.Value, attempt, retry.MaxAttempts, backoff, exception);
                await Task.Delay(backoff, time, cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                Log.HandlerGaveUp(logger, dispatcher.Contract.MessageType, record.Topic, record.Partition.Value,
                    record.Offset.Value, attempt, exception);
                MessagingActivities.SetError(activity, exception);
                return;
            }
        }
    }

    private bool TryParse(ConsumeResult<string, byte[]> record,
        [NotNullWhen(true)] out IEventDispatcher? dispatcher, [NotNullWhen(true)] out IMessage? @event)
    {
        dispatcher = null;
        @event = null;
        var (topic, partition, offset) = (record.Topic, record.Partition.Value, record.Offset.Value);
        if (record.Message.Headers is not { } headers || !headers.TryGetLastBytes(MessageHeaders.MessageType, out var typeBytes) || typeBytes is null)
        {
            Log.SkippedWithoutType(logger, topic, partition, offset);
            return false;
        }

        var messageType = Encoding.UTF8.GetString(typeBytes);
        if (!_byType.TryGetValue(messageType, out dispatcher))
        {
            Log.SkippedUnknownType(logger, topic, partition, offset, messageType);
            return false;
        }

        try
        {
            @event = record.Message.Value is { } payload ? dispatcher.Parse(payload) : null;
        }
        catch (InvalidProtocolBufferException exception)
        {
            Log.SkippedUnparsable(logger, topic, partition, offset, messageType, exception);
            return false;
        }

        if (@event is null)
        {
            Log.SkippedUnparsable(logger, topic, partition, offset, messageType, null);
        }

        return @event is not null;
    }
}
