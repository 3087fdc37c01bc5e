using Google.Protobuf;

namespace Mesh.Messaging;

/// <summary>
/// Handles one event type. Handlers must be idempotent: delivery is at least once, and the offset
/// is committed only after <see cref="HandleAsync"/> completed without throwing (or the record was
/// dead-lettered). A handler throws <see cref="EventRejectedException"/> for a record that can
/// never be applied (dead-lettered at once); a failure of a dependency (transient, see
/// <see cref="KafkaEventsBuilder.TreatAsTransient(Func{Exception, bool})"/>) is retried for as long
/// as it lasts; anything else is retried up to Kafka:HandlerRetry:MaxAttempts, then dead-lettered.
/// Events of one partition key arrive one at a time in order; events of different keys are
/// handled concurrently. The cancellation token fires only when the partition is taken away or
/// the service stops and the drain timeout has passed.
/// </summary>
public interface IEventHandler<in TEvent> where TEvent : IMessage<TEvent>, new()
{
    Task HandleAsync(TEvent @event, EventMetadata metadata, CancellationToken cancellationToken);
}
