using Google.Protobuf;
using Mesh.Contracts;
using Mesh.Messaging.Consuming;
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
        Services.TryAddSingleton<ConsumerFactory>();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, KafkaConsumerService>());
        return this;
    }
}
