using Google.Protobuf;
using Mesh.Contracts;
using Mesh.Messaging.Consuming;
using Mesh.Messaging.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Mesh.Messaging;

/// <summary>Adds event handlers to the service's one Kafka consumer (group Kafka:ConsumerGroup).</summary>
public sealed class KafkaEventsBuilder
{
    internal KafkaEventsBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }

    /// <summary>
    /// Handles <typeparamref name="TEvent"/> with <typeparamref name="THandler"/>, resolved from a
    /// new scope for every record. One handler per event type. Handlers of different keys run
    /// concurrently, so a handler must be safe to run in parallel with itself.
    /// </summary>
    public KafkaEventsBuilder AddConsumer<TEvent, THandler>()
        where TEvent : IMessage<TEvent>, new()
        where THandler : class, IEventHandler<TEvent>
    {
        var contract = EventContracts.For<TEvent>();
        if (Services.Any(d => d.ServiceType == typeof(IEventDispatcher) && d.ImplementationType == typeof(EventDispatcher<TEvent>)))
        {
            throw new InvalidOperationException($"A handler for {contract.MessageType} is already registered.");
        }

        Services.AddScoped<IEventHandler<TEvent>, THandler>();
        Services.AddSingleton<IEventDispatcher, EventDispatcher<TEvent>>();
        Services.TryAddSingleton<RecordProcessor>();
        Services.TryAddSingleton<RecordScheduler>();
        Services.TryAddSingleton<DeadLetterWriter>();
        Services.TryAddSingleton<FailureClassifier>();
        Services.TryAddSingleton<ConsumerFactory>();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, KafkaConsumerService>());
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DeadLetterDepthMonitor>());
        if (!Services.Any(d => d.ServiceType == typeof(StalledRecordsHealthCheck)))
        {
            // Untagged like the kafka check: readiness reports it, liveness ignores it.
            Services.AddSingleton<StalledRecordsHealthCheck>();
            Services.AddHealthChecks().AddCheck<StalledRecordsHealthCheck>(KafkaServiceCollectionExtensions.StalledHealthCheckName);
        }

        return this;
    }

    /// <summary>
    /// Makes handler failures that match <paramref name="isTransient"/> transient: the record is
    /// retried with Kafka:HandlerRetry's backoff for as long as they last and never dead-lettered
    /// for them. For failures of a dependency (unreachable, timing out, a lock that cannot be had
    /// yet), never for a bug or a bad record: such a record would wait forever and hold its key.
    /// The rule sees the thrown exception and every exception inside it (inner exceptions, the
    /// members of an <see cref="AggregateException"/>). Kafka errors, timeouts, socket errors and
    /// gRPC Unavailable/DeadlineExceeded are transient without a rule.
    /// </summary>
    public KafkaEventsBuilder TreatAsTransient(Func<Exception, bool> isTransient)
    {
        ArgumentNullException.ThrowIfNull(isTransient);
        Services.AddSingleton(new TransientFailureRule(isTransient));
        return this;
    }

    /// <summary>Makes every <typeparamref name="TException"/> (and subtype) transient; see <see cref="TreatAsTransient(Func{Exception, bool})"/>.</summary>
    public KafkaEventsBuilder TreatAsTransient<TException>() where TException : Exception =>
        TreatAsTransient(exception => exception is TException);
}
