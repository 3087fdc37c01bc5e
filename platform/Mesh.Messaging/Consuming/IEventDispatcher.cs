using Google.Protobuf;
using Mesh.Contracts;

namespace Mesh.Messaging.Consuming;

/// <summary>Parses and dispatches one event type to its handler; registered by AddConsumer.</summary>
internal interface IEventDispatcher
{
    EventContract Contract { get; }

    /// <summary>Throws <see cref="InvalidProtocolBufferException"/> when the payload is not this type.</summary>
    IMessage Parse(byte[] payload);

    Task DispatchAsync(IServiceProvider services, IMessage @event, EventMetadata metadata, CancellationToken cancellationToken);
}
