using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Coordination.Locks;
using Mesh.Messaging;
using Mesh.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Places an order by "record, then publish" (docs: no dual writes): the idempotency claim records
/// the whole OrderPlaced, event id included; then that event is published; only once Kafka persisted
/// it does the caller get the order. A crash or a failed publish in between answers an error, and the
/// client's retry with the same idempotency key finds the claim and republishes the identical event,
/// which every consumer handles idempotently. The Redis view is derived from the event (here for
/// read-your-writes, and again by the projection consumer), so it exists only for published orders.
/// Placements of one (user, idempotency key) run one at a time under a distributed lock, so
/// concurrent retries wait for the first one and then find its order instead of publishing it again;
/// the claim is a fenced write, so a holder whose lock expired while it was paused cannot claim after
/// the next holder did. A published order is queued for its settlement deadline before it enters the
/// view, so no answered order can be left without one.
/// </summary>
public sealed partial class OrderPlacement(
    OrderDecisions decisions,
    OrderViews views,
    SettlementQueue queue,
    IEventPublisher publisher,
    ILockManager locks,
    IOptions<OrderOptions> options,
    TimeProvider clock,
    ILogger<OrderPlacement> logger)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly string _lockOwner = $"mesh-orders/{Environment.MachineName}/{Environment.ProcessId}";

    public async Task<Order> PlaceAsync(PlaceOrderCommand command, CancellationToken cancellationToken)
    {
        await using var placing = await LockAsync(command, cancellationToken);
        var placed = await decisions.ClaimAsync(OrderMapper.ToEvent(command, clock.GetUtcNow()), placing.FencingToken, cancellationToken)
            ?? throw new UnavailableException(
                "The placement lock expired before the order was claimed; retry with the same idempotency key.", RetryAfter);
        // Only a published order is in the view, so returning it answers only after publish succeeded.
        if (await views.FindAsync(placed.UserId, placed.OrderId) is { } existing)
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

        await queue.AddAsync(
            SettlementTask.Deadline(placed.UserId, placed.OrderId), placed.OccurredAt.ToDateTimeOffset() + options.Value.SettleWithin);
        await views.ProjectAsync(placed);
        LogPlaced(placed.OrderId, placed.UserId, placed.TotalCents);
        return OrderMapper.ToPendingOrder(placed);
    }

    private async Task<LockHandle> LockAsync(PlaceOrderCommand command, CancellationToken cancellationToken)
    {
        // One resource per idempotency key a client invents; its fencing counter expires after
        // Locks:FenceRetention (Mesh.Coordination's README: why tokens still only grow).
        var resource = $"orders/place/{command.UserId}/{command.IdempotencyKey}";
        try
        {
            return await locks.TryAcquireAsync(resource, _lockOwner, cancellationToken)
                ?? throw new UnavailableException(
                    "An order with this idempotency key is still being placed; retry with the same key.", RetryAfter);
        }
        catch (LockUnavailableException exception)
        {
            LogLockUnavailable(exception, command.UserId);
            throw new UnavailableException("Orders cannot be placed right now; retry with the same idempotency key.", RetryAfter, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Placed order {OrderId} for {UserId}, total {TotalCents} cents")]
    private partial void LogPlaced(string orderId, string userId, long totalCents);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OrderPlaced for {OrderId} was not persisted by Kafka")]
    private partial void LogPublishFailed(Exception exception, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The placement lock for {UserId} could not be reached")]
    private partial void LogLockUnavailable(Exception exception, string userId);
}
