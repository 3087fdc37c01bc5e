using Mesh.Contracts.Events.V1;
using Mesh.Messaging;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Builds the orders view from the order service's own topics, so that it can be rebuilt from the
/// log and shows every order that was published, even when the process crashed right after
/// publishing. The three topics are read independently: an outcome may be applied before its
/// OrderPlaced, and the store makes the final status win in either order.
/// </summary>
public sealed class OrderViewProjection(OrderStore store)
    : IEventHandler<OrderPlaced>, IEventHandler<OrderConfirmed>, IEventHandler<OrderRejected>
{
    public Task HandleAsync(OrderPlaced @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        EventGuard.RequireIds(@event, @event.UserId, @event.OrderId);
        return store.ProjectAsync(@event);
    }

    public Task HandleAsync(OrderConfirmed @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        EventGuard.RequireIds(@event, @event.UserId, @event.OrderId);
        return store.ProjectOutcomeAsync(@event);
    }

    public Task HandleAsync(OrderRejected @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        EventGuard.RequireIds(@event, @event.UserId, @event.OrderId);
        return store.ProjectOutcomeAsync(@event);
    }
}
