using Google.Protobuf;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Coordination.Locks;
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

    // KEYS[1] claim, KEYS[2] its fence; ARGV event bytes, retention ms. Returns the earlier claim, or nil.
    private const string ClaimScript = """
        redis.call('PEXPIRE', KEYS[2], ARGV[2])
        local previous = redis.call('GET', KEYS[1])
        if previous then
          return previous
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return false
        """;

    /// <summary>
    /// Claims the idempotency key for <paramref name="candidate"/> as the holder of the placement
    /// lock with <paramref name="fencingToken"/>; when the key was claimed before, returns the event
    /// it was claimed for instead. Null when a later holder of the lock has written already: this
    /// holder's lock expired while it was paused, and it must not write.
    /// </summary>
    public async Task<OrderPlaced?> ClaimAsync(OrderPlaced candidate, long fencingToken, CancellationToken cancellationToken)
    {
        var claimKey = $"orders:{{{candidate.UserId}}}:idempotency:{candidate.IdempotencyKey}";
        var fenceKey = claimKey + ":fence";
        var written = await redis.GetDatabase().FencedWriteAsync(
            fenceKey,
            fencingToken,
            ClaimScript,
            [claimKey, fenceKey],
            [candidate.ToByteArray(), (long)options.Value.IdempotencyRetention.TotalMilliseconds],
            cancellationToken);
        if (!written.Applied)
        {
            return null;
        }

        return written.Reply is { IsNull: false } previous ? OrderPlaced.Parser.ParseFrom((byte[])previous!) : candidate;
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
