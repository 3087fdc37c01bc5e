using Mesh.Contracts.Events.V1;
using Mesh.Messaging;
using Microsoft.Extensions.Options;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Builds the orders view from the order service's own topics, so that it can be rebuilt from the
/// log and shows every order that was published, even when the process crashed right after
/// publishing. The topics are read independently: an outcome may be applied before its
/// OrderPlaced, and the view's status rules make the final status win in either order. An
/// OrderPlaced not settled yet is queued for its deadline here too, in case the process that
/// placed it died before queuing it.
/// </summary>
public sealed class OrderViewProjection(
    OrderViews views, OrderDecisions decisions, SettlementQueue queue, IOptions<OrderOptions> options)
    : IEventHandler<OrderPlaced>, IEventHandler<OrderConfirmed>, IEventHandler<OrderRejected>, IEventHandler<OrderCancelled>
{
    public async Task HandleAsync(OrderPlaced @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        EventGuard.RequireIds(@event, @event.UserId, @event.OrderId);
        if (await decisions.FindAsync(@event.UserId, @event.OrderId) is null)
        {
            await queue.AddAsync(
                SettlementTask.Deadline(@event.UserId, @event.OrderId), @event.OccurredAt.ToDateTimeOffset() + options.Value.SettleWithin);
        }

        await views.ProjectAsync(@event);
    }

    public Task HandleAsync(OrderConfirmed @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        EventGuard.RequireIds(@event, @event.UserId, @event.OrderId);
        return views.ProjectOutcomeAsync(@event);
    }

    public Task HandleAsync(OrderRejected @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        EventGuard.RequireIds(@event, @event.UserId, @event.OrderId);
        return views.ProjectOutcomeAsync(@event);
    }

    public Task HandleAsync(OrderCancelled @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        EventGuard.RequireIds(@event, @event.UserId, @event.OrderId);
        return views.ProjectOutcomeAsync(@event);
    }
}
