using Google.Protobuf;
using Mesh.Messaging;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Publishes recorded settlement events and applies them to the view, in that order: the view
/// shows only what Kafka persisted. A failure throws before the view changes, and whoever called
/// (a retried credit event, the client's retry, the sweeper) publishes the same recorded events again.
/// </summary>
public sealed class OrderSettler(IEventPublisher publisher, OrderViews views)
{
    public async Task PublishAsync(IEnumerable<IMessage> recorded, CancellationToken cancellationToken)
    {
        var events = recorded.ToList();
        foreach (var @event in events)
        {
            await publisher.PublishAsync(@event, cancellationToken);
        }

        foreach (var @event in events)
        {
            await views.ProjectOutcomeAsync(@event);
        }
    }
}
