using Google.Protobuf;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.ServiceDefaults.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Order = Mesh.Contracts.V1.Order;

namespace Mesh.Orders.Ordering;

/// <summary>
/// The order service's Redis state under its prefix <c>orders:</c>: the orders view of each user
/// (derived from OrderPlaced, so it can always be rebuilt from the log) and idempotency claims.
/// </summary>
public sealed class OrderStore(IConnectionMultiplexer redis, IOptions<OrderOptions> options)
{
    private readonly RedisTimeline _orders = new(redis, "orders");

    /// <summary>
    /// Claims the idempotency key for <paramref name="candidate"/>; when the key was claimed before,
    /// returns the event it was claimed for instead.
    /// </summary>
    public async Task<OrderPlaced> ClaimAsync(OrderPlaced candidate)
    {
        var previous = await redis.GetDatabase().StringSetAndGetAsync(
            $"orders:{{{candidate.UserId}}}:idempotency:{candidate.IdempotencyKey}",
            candidate.ToByteArray(),
            expiry: options.Value.IdempotencyRetention,
            when: When.NotExists);
        return previous.IsNull ? candidate : OrderPlaced.Parser.ParseFrom((byte[])previous!);
    }

    /// <summary>Adds the order to its user's view unless it is there already.</summary>
    public Task<bool> ProjectAsync(OrderPlaced placed) =>
        _orders.AddIfAbsentAsync(
            placed.UserId,
            placed.OrderId,
            placed.OccurredAt.ToDateTimeOffset(),
            OrderMapper.ToPendingOrder(placed).ToByteArray(),
            publish: false);

    public async Task<Order?> FindAsync(string userId, string orderId) =>
        await _orders.GetAsync(userId, orderId) is { } bytes ? Order.Parser.ParseFrom(bytes) : null;

    public async Task<(IReadOnlyList<Order> Orders, bool HasMore)> PageAsync(string userId, int offset, int count)
    {
        var (items, hasMore) = await _orders.PageAsync(userId, offset, count);
        return (items.Select(Order.Parser.ParseFrom).ToList(), hasMore);
    }
}
