using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Messaging;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Places an order by publishing OrderPlaced first: Kafka is the record, the Redis view is derived
/// from it (here for read-your-writes, and again by the projection consumer). A crash between the two
/// steps therefore loses nothing, and a retry with the same idempotency key republishes the same
/// event, which every consumer handles idempotently.
/// </summary>
public sealed partial class OrderPlacement(
    OrderStore store, IEventPublisher publisher, TimeProvider clock, ILogger<OrderPlacement> logger)
{
    public async Task<Order> PlaceAsync(PlaceOrderCommand command, CancellationToken cancellationToken)
    {
        var placed = await store.ClaimAsync(OrderMapper.ToEvent(command, clock.GetUtcNow()));
        if (await store.FindAsync(placed.UserId, placed.OrderId) is { } existing)
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
                "The order could not be recorded yet; retry with the same idempotency key.", TimeSpan.FromSeconds(1), exception);
        }

        await store.ProjectAsync(placed);
        LogPlaced(placed.OrderId, placed.UserId, placed.TotalCents);
        return OrderMapper.ToPendingOrder(placed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Placed order {OrderId} for {UserId}, total {TotalCents} cents")]
    private partial void LogPlaced(string orderId, string userId, long totalCents);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OrderPlaced for {OrderId} was not persisted by Kafka")]
    private partial void LogPublishFailed(Exception exception, string orderId);
}
