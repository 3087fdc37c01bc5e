using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Coordination.Locks;
using Mesh.ServiceDefaults.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Order = Mesh.Contracts.V1.Order;

namespace Mesh.Orders.Ordering;

/// <summary>
/// The order service's Redis state under its prefix <c>orders:</c>, every key of a user under the
/// user's hash tag. Decisions: idempotency claims (each holding its OrderPlaced) and credit outcomes
/// (each holding its OrderConfirmed or OrderRejected), recorded before their event is published so
/// that a retry republishes the identical event. The view, derived only from the events so that it
/// can be rebuilt from the log: each order as placed (items and a time index) and, apart from it, its
/// final status, so that an outcome and its OrderPlaced may be applied in either order.
/// </summary>
public sealed class OrderStore(IConnectionMultiplexer redis, IOptions<OrderOptions> options)
{
    private static readonly TypeRegistry Outcomes = TypeRegistry.FromMessages(OrderConfirmed.Descriptor, OrderRejected.Descriptor);

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

    // KEYS[1] the order's outcome; ARGV[1] the candidate. Returns the outcome recorded first.
    private const string RecordOutcomeScript = """
        local previous = redis.call('GET', KEYS[1])
        if previous then
          return previous
        end
        redis.call('SET', KEYS[1], ARGV[1])
        return ARGV[1]
        """;

    // KEYS[1] items, KEYS[2] statuses; ARGV[1] order id. Returns {order or false, final status or false}.
    private const string FindScript = """
        return {redis.call('HGET', KEYS[1], ARGV[1]), redis.call('HGET', KEYS[2], ARGV[1])}
        """;

    // KEYS[1] items, KEYS[2] index, KEYS[3] statuses; ARGV first and last rank. Returns {orders, statuses}.
    private const string PageScript = """
        local ids = redis.call('ZREVRANGE', KEYS[2], ARGV[1], ARGV[2])
        if #ids == 0 then
          return {{}, {}}
        end
        return {redis.call('HMGET', KEYS[1], unpack(ids)), redis.call('HMGET', KEYS[3], unpack(ids))}
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

    /// <summary>
    /// Records <paramref name="candidate"/> (an OrderConfirmed or OrderRejected) as the order's
    /// outcome unless one was recorded before, and returns the one recorded first: a redelivered
    /// credit event gets back the very event (same event id) it produced the first time.
    /// </summary>
    public async Task<IMessage> RecordOutcomeAsync(IMessage candidate, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var outcome = OrderOutcome.Of(candidate);
        var recorded = (byte[])(await redis.GetDatabase().ScriptEvaluateAsync(
            RecordOutcomeScript, [OutcomeKey(outcome.UserId, outcome.OrderId)], [Any.Pack(candidate).ToByteArray()]))!;
        return Any.Parser.ParseFrom(recorded).Unpack(Outcomes);
    }

    /// <summary>The outcome recorded for the order, if any.</summary>
    public async Task<IMessage?> FindOutcomeAsync(string userId, string orderId) =>
        await redis.GetDatabase().StringGetAsync(OutcomeKey(userId, orderId)) is { IsNull: false } recorded
            ? Any.Parser.ParseFrom((byte[])recorded!).Unpack(Outcomes)
            : null;

    /// <summary>Adds the order to its user's view unless it is there already.</summary>
    public Task<bool> ProjectAsync(OrderPlaced placed) =>
        _orders.AddIfAbsentAsync(
            placed.UserId,
            placed.OrderId,
            placed.OccurredAt.ToDateTimeOffset(),
            OrderMapper.ToPendingOrder(placed).ToByteArray(),
            publish: false);

    /// <summary>
    /// Sets the order's final status unless it has one. Only final statuses are stored here, so a
    /// late OrderPlaced (PENDING) can never overwrite one, and the first outcome wins.
    /// </summary>
    public Task<bool> ProjectOutcomeAsync(IMessage outcome)
    {
        var (userId, orderId, status) = OrderOutcome.Of(outcome);
        return redis.GetDatabase().HashSetAsync(StatusKey(userId), orderId, (int)status, When.NotExists);
    }

    public async Task<Order?> FindAsync(string userId, string orderId)
    {
        var found = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            FindScript, [_orders.ItemsKey(userId), StatusKey(userId)], [orderId]))!;
        return found[0].IsNull ? null : WithStatus((byte[])found[0]!, found[1]);
    }

    public async Task<(IReadOnlyList<Order> Orders, bool HasMore)> PageAsync(string userId, int offset, int count)
    {
        // One more than asked tells whether another page exists without a second round trip.
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            PageScript, [_orders.ItemsKey(userId), _orders.IndexKey(userId), StatusKey(userId)], [offset, offset + count]))!;
        var items = (RedisResult[])result[0]!;
        var statuses = (RedisResult[])result[1]!;
        var orders = items.Select((item, i) => item.IsNull ? null : WithStatus((byte[])item!, statuses[i]))
            .OfType<Order>()
            .ToList();
        var hasMore = orders.Count > count;
        return (hasMore ? orders[..count] : orders, hasMore);
    }

    private static Order WithStatus(byte[] placed, RedisResult finalStatus)
    {
        var order = Order.Parser.ParseFrom(placed);
        if (!finalStatus.IsNull)
        {
            order.Status = (OrderStatus)(int)finalStatus;
        }

        return order;
    }

    private static string StatusKey(string userId) => $"orders:{{{userId}}}:status";

    private static string OutcomeKey(string userId, string orderId) => $"orders:{{{userId}}}:outcome:{orderId}";
}
