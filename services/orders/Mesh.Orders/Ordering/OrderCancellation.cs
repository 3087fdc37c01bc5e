using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Messaging;
using Mesh.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Cancels an order of its owner, "record, then publish" like every decision here: the cancellation
/// is queued (so the sweeper publishes it if this process dies), recorded with its OrderCancelled
/// (the first cancellation wins; a still pending order is settled by it, so a credit decision that
/// comes later changes nothing), published, and only then shown in the view and answered. A retry
/// finds the record and publishes the identical event; the user service releases the credit.
/// </summary>
public sealed partial class OrderCancellation(
    OrderDecisions decisions,
    OrderViews views,
    OrderSettler settler,
    SettlementQueue queue,
    OrderMetrics metrics,
    IOptions<OrderOptions> options,
    TimeProvider clock,
    ILogger<OrderCancellation> logger)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public async Task<Order> CancelAsync(string userId, string orderId, CancellationToken cancellationToken)
    {
        // Another user's order is absent from this user's view: NOT_FOUND, as for GetOrder.
        var order = await views.FindAsync(userId, orderId) ?? throw ResourceException.NotFound("order", orderId);
        if (order.Status == OrderStatus.Cancelled)
        {
            return order;
        }

        if (order.Status == OrderStatus.Rejected)
        {
            throw new OrderNotCancellableException(orderId, order.StatusReason);
        }

        var now = clock.GetUtcNow();
        var task = SettlementTask.Cancellation(userId, orderId);
        await queue.AddAsync(task, now + options.Value.SweepClaim);
        var settlement = await decisions.CancelAsync(
            OrderMapper.ToCancelled(order, wasConfirmed: false, now), OrderMapper.ToCancelled(order, wasConfirmed: true, now), cancellationToken);
        if (settlement.Cancellation is not { } cancellation)
        {
            await queue.RemoveAsync(task);
            throw new OrderNotCancellableException(orderId, OrderOutcome.Of(settlement.Outcome).Reason);
        }

        try
        {
            await settler.PublishAsync([cancellation], cancellationToken);
        }
        catch (EventPublishException exception)
        {
            LogPublishFailed(exception, orderId);
            throw new UnavailableException("The cancellation is recorded but not published yet; retry to see it through.", RetryAfter, exception);
        }

        await queue.RemoveAsync(task);
        await queue.RemoveAsync(SettlementTask.Deadline(userId, orderId));
        metrics.Cancelled(cancellation.WasConfirmed);
        LogCancelled(orderId, userId, cancellation.WasConfirmed);
        order.Status = OrderStatus.Cancelled;
        order.StatusReason = OrderOutcome.Of(cancellation).Reason;
        return order;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} of {UserId} cancelled (it was confirmed: {WasConfirmed})")]
    private partial void LogCancelled(string orderId, string userId, bool wasConfirmed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OrderCancelled for {OrderId} was not persisted by Kafka; the sweeper or a retry publishes it")]
    private partial void LogPublishFailed(Exception exception, string orderId);
}
