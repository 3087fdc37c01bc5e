using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Google.Protobuf;
using Mesh.Contracts;
using Mesh.Messaging.Configuration;
using Mesh.Messaging.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Publishing;

/// <summary>
/// The process's one idempotent producer (acks=all), created on first use so that services which
/// only consume never open producer connections.
/// </summary>
internal sealed class KafkaEventPublisher : IEventPublisher, IDisposable
{
    private const string ClientName = "producer";

    private readonly Lazy<IProducer<string, byte[]>> _producer;
    private readonly MessagingActivities _activities;
    private readonly MessagingMetrics _metrics;
    private readonly KafkaClientMonitor _clients;
    private readonly TimeProvider _time;
    private readonly KafkaOptions _options;
    private readonly ILogger _logger;
    private bool _disposed;

    public KafkaEventPublisher(IOptions<KafkaOptions> options, MessagingActivities activities, MessagingMetrics metrics,
        KafkaClientMonitor clients, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<KafkaEventPublisher> logger)
    {
        _options = options.Value;
        _activities = activities;
        _metrics = metrics;
        _clients = clients;
        _time = time;
        _logger = logger;
        _producer = new(() => new ProducerBuilder<string, byte[]>(KafkaClientConfigs.Producer(_options))
            .SetErrorHandler((_, error) => OnError(error, lifetime))
            .SetLogHandler((_, message) => KafkaLogBridge.Write(logger, message))
            .SetStatisticsHandler((_, json) => clients.Report(ClientName, consumerGroup: null, json))
            .Build());
    }

    /// <summary>Opens the producer if nothing has published yet, so the health check watches it too.</summary>
    public void EnsureCreated() => _ = _producer.Value;

    /// <summary>
    /// Writes a prepared record to an exact partition (dead letters keep their partition) and
    /// returns only once it is persisted; throws <see cref="ProduceException{TKey,TValue}"/> or
    /// <see cref="KafkaException"/> otherwise.
    /// </summary>
    public async Task ProduceAsync(TopicPartition partition, Message<string, byte[]> message, CancellationToken cancellationToken)
    {
        var result = await _producer.Value.ProduceAsync(partition, message, cancellationToken);
        if (result.Status != PersistenceStatus.Persisted)
        {
            throw new KafkaException(new Error(ErrorCode.Local_Fail, $"delivery status {result.Status}"));
        }
    }

    public Task PublishAsync<TEvent>(TEvent @event, CancellationToken cancellationToken)
        where TEvent : IMessage<TEvent>, new() =>
        PublishAsync((IMessage)@event, cancellationToken);

    public async Task PublishAsync(IMessage @event, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var contract = EventContracts.For(@event.Descriptor.FullName);
        var key = contract.PartitionKey(@event);
        using var activity = _activities.StartSend(contract.Topic, key);
        var message = new Message<string, byte[]>
        {
            Key = key,
            Value = @event.ToByteArray(),
            Headers = new Headers { { MessageHeaders.MessageType, Encoding.UTF8.GetBytes(contract.MessageType) } },
        };
        TraceContextHeaders.Inject(activity, message.Headers);

        var started = _time.GetTimestamp();
        DeliveryResult<string, byte[]> result;
        try
        {
            // Cancelling stops the wait, not the delivery: the record may still be written.
            result = await _producer.Value.ProduceAsync(contract.Topic, message, cancellationToken);
        }
        catch (ProduceException<string, byte[]> exception)
        {
            _metrics.Sent(contract.Topic, _time.GetElapsedTime(started), exception.Error.Code.ToString());
            var possibly = exception.DeliveryResult?.Status == PersistenceStatus.PossiblyPersisted;
            throw Failed(activity, contract, possibly, exception.Error.Reason, exception);
        }
        catch (OperationCanceledException)
        {
            _metrics.Sent(contract.Topic, _time.GetElapsedTime(started), "canceled");
            throw;
        }

        MessagingActivities.SetPosition(activity, result.Partition, result.Offset);
        if (result.Status != PersistenceStatus.Persisted)
        {
            _metrics.Sent(contract.Topic, _time.GetElapsedTime(started), result.Status.ToString());
            throw Failed(activity, contract, result.Status == PersistenceStatus.PossiblyPersisted, $"delivery status {result.Status}", null);
        }

        _metrics.Sent(contract.Topic, _time.GetElapsedTime(started), errorType: null);
    }

    /// <summary>Delivers what the producer still holds, within Kafka:ShutdownFlushTimeout.</summary>
    public void Flush(CancellationToken cancellationToken)
    {
        if (!_producer.IsValueCreated)
        {
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ShutdownFlushTimeout);
        try
        {
            _producer.Value.Flush(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Log.FlushIncomplete(_logger, _producer.Value.Flush(TimeSpan.Zero));
        }
    }

    public void Dispose()
    {
        // Registered both as itself and as IEventPublisher, so the container may call this twice.
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_producer.IsValueCreated)
        {
            _producer.Value.Dispose();
            _clients.Remove(ClientName);
        }
    }

    private EventPublishException Failed(Activity? activity, EventContract contract,
        bool possiblyPersisted, string reason, Exception? inner)
    {
        var exception = new EventPublishException(contract.MessageType, contract.Topic, possiblyPersisted, reason, inner);
        MessagingActivities.SetError(activity, exception);
        Log.PublishFailed(_logger, contract.MessageType, contract.Topic, reason, exception);
        return exception;
    }

    private void OnError(Error error, IHostApplicationLifetime lifetime)
    {
        if (!error.IsFatal)
        {
            Log.ClientError(_logger, error.Code, error.Reason);
            return;
        }

        // A fatal error leaves the idempotent producer unusable; a restart gets a fresh one.
        Log.FatalError(_logger, "producer", error.Code, error.Reason);
        lifetime.StopApplication();
    }
}
