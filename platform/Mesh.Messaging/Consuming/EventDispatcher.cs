using Google.Protobuf;
using Mesh.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Messaging.Consuming;

internal sealed class EventDispatcher<TEvent> : IEventDispatcher where TEvent : IMessage<TEvent>, new()
{
    private readonly MessageParser<TEvent> _parser = new(() => new TEvent());

    public EventContract Contract { get; } = EventContracts.For<TEvent>();

    public IMessage Parse(byte[] payload) => _parser.ParseFrom(payload);

    public Task DispatchAsync(IServiceProvider services, IMessage @event, EventMetadata metadata, CancellationToken cancellationToken) =>
        services.GetRequiredService<IEventHandler<TEvent>>().HandleAsync((TEvent)@event, metadata, cancellationToken);
}
