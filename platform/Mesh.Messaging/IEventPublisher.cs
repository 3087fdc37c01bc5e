using Google.Protobuf;

namespace Mesh.Messaging;

/// <summary>Typed producer: the topic and partition key come from the event's contract.</summary>
public interface IEventPublisher
{
    /// <summary>
    /// Publishes the event and completes once the broker has persisted it (acks=all).
    /// Throws <see cref="EventPublishException"/> when it was not persisted.
    /// </summary>
    Task PublishAsync<TEvent>(TEvent @event, CancellationToken cancellationToken)
        where TEvent : IMessage<TEvent>, new();

    /// <summary>
    /// Publishes an event whose type is known only at run time (e.g. read back from an outbox);
    /// its contract is found by its descriptor's full name. Same guarantees as the typed overload.
    /// </summary>
    Task PublishAsync(IMessage @event, CancellationToken cancellationToken);
}
