using Google.Protobuf;

namespace Mesh.Messaging;

/// <summary>
/// Handles one event type. Handlers must be idempotent: delivery is at least once, and the offset
/// is committed only after <see cref="HandleAsync"/> completed without throwing (or the record was
/// dead-lettered after the last retry). Events of one partition key arrive one at a time in order;
/// events of different keys are handled concurrently. The cancellation token fires only when the
/// partition is taken away or the service stops and the drain timeout has passed.
/// </summary>
public interface IEventHandler<in TEvent> where TEvent : IMessage<TEvent>, new()
{
    Task HandleAsync(TEvent @event, EventMetadata metadata, CancellationToken cancellationToken);
}
