using Mesh.Contracts.Events.V1;
using Mesh.Messaging;
using Microsoft.Extensions.Options;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Builds the orders view from the order service's own topics, so that it can be rebuilt from the
/// log and shows every order that was published, even when the process crashed right after
/// publishing. The topics are read independently: an outcome may be applied before its
/// OrderPlaced, and the view's status rules make the final status win in either order. Every
/// OrderPlaced whose outcome is not in the view yet is queued here for its settlement deadline:
/// this consumer sees each published order at least once, whatever happened to the process that
/// placed it. (One whose outcome was recorded but not projected yet is queued too; the sweeper
/// then finds it settled and only drops the entry.)
/// </summary>
public sealed class OrderViewProjection(OrderViews views, SettlementQueue queue, IOptions<OrderOptions> options)
    : IEventHandler<OrderPlaced>, IEventHandler<OrderConfirmed>, IEventHandler<OrderRejected>, IEventHandler<OrderCancelled>
{
    public async Task HandleAsync(OrderPlaced @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        EventGuard.RequireIds(@event, @event.UserId, @event.OrderId);
        if (!await views.ProjectAsync(@event))
        {
            await queue.AddAsync(
                SettlementTask.Deadline(@event.UserId, @event.OrderId), @event.OccurredAt.ToDateTimeOffset() + options.Value.SettleWithin);
        }
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
