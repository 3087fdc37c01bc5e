using Google.Protobuf;

namespace Mesh.Messaging;

/// <summary>
/// Handles one event type. Handlers must be idempotent: delivery is at least once, and the offset
/// is committed only after <see cref="HandleAsync"/> completed without throwing.
/// </summary>
public interface IEventHandler<in TEvent> where TEvent : IMessage<TEvent>, new()
{
    Task HandleAsync(TEvent @event, EventMetadata metadata, CancellationToken cancellationToken);
}
