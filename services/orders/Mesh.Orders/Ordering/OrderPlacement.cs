using Mesh.Contracts.V1;
using Mesh.Messaging;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Places an order by "record, then publish" (docs: no dual writes): the idempotency claim records
/// the whole OrderPlaced, event id included; then that event is published; only once Kafka persisted
/// it does the caller get the order. A crash or a failed publish in between answers an error, and the
/// client's retry with the same idempotency key finds the claim and republishes the identical event,
/// which every consumer handles idempotently. The Redis view is derived from the event (here for
/// read-your-writes, and again by the projection consumer), so it exists only for published orders.
/// <para>
/// Two round trips before the publish and one after: the claim, in the same script as the look-up
/// of the claimed order in the view; then the projection. No lock: the claim is set-if-absent in
/// one script, so of concurrent placements with one key exactly one claims and every other gets
/// that claim's event, the same event id. At worst two of them both publish it before either
/// finds it in the view, a duplicate record that every consumer counts once
/// (<c>OrderPlacementTests</c> shows it with placements paused at each step). The settlement
/// deadline is queued by the consumer of OrderPlaced (<see cref="OrderViewProjection"/>), which sees
/// every published order, this process's crash right after the publish included.
/// </para>
/// </summary>
public sealed partial class OrderPlacement(
    OrderDecisions decisions, OrderViews views, IEventPublisher publisher, TimeProvider clock, ILogger<OrderPlacement> logger)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public async Task<Order> PlaceAsync(PlaceOrderCommand command, CancellationToken cancellationToken)
    {
        var (placed, existing) = await decisions.ClaimAsync(
            OrderMapper.ToEvent(command, clock.GetUtcNow()), await views.LiveKeysAsync(command.UserId), cancellationToken);
        // Only a published order is in the view, so returning it answers only after publish succeeded.
        if (existing is not null)
        {
            return existing;
        }

        try
        {
            await publisher.PublishAsync(placed, cancellationToken);
        }
        catch (EventPublishException exception)
        {
            LogPublishFailed(exception, placed.OrderId);
            throw new UnavailableException(
                "The order could not be recorded yet; retry with the same idempotency key.", RetryAfter, exception);
        }

        await views.ProjectAsync(placed);
        LogPlaced(placed.OrderId, placed.UserId, placed.TotalCents);
        return OrderMapper.ToPendingOrder(placed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Placed order {OrderId} for {UserId}, total {TotalCents} cents")]
    private partial void LogPlaced(string orderId, string userId, long totalCents);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OrderPlaced for {OrderId} was not persisted by Kafka")]
    private partial void LogPublishFailed(Exception exception, string orderId);
}
