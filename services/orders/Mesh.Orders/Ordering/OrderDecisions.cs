using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.ServiceDefaults.Events;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Order = Mesh.Contracts.V1.Order;

namespace Mesh.Orders.Ordering;

/// <summary>
/// The order service's decisions, each recorded with the event it emits before that event is
/// published, so that every retry republishes the identical event (design "record, then publish"):
/// the idempotency claim (holding its OrderPlaced and its order id, for <c>Orders:IdempotencyRetention</c>) and the
/// settlement of each order (<c>orders:{user}:settlement:&lt;order&gt;</c>: the first outcome and a
/// cancellation, for <c>Events:DecisionRetention</c>, which outlives any redelivery of the events
/// that lead to it). Keys of a user share the user's hash tag.
/// </summary>
public sealed class OrderDecisions(IConnectionMultiplexer redis, IOptions<OrderOptions> options, EventWindow window)
{
    private static readonly TypeRegistry Outcomes =
        TypeRegistry.FromMessages(OrderConfirmed.Descriptor, OrderRejected.Descriptor, OrderCancelled.Descriptor);

    // KEYS claim, the live view's items and status; ARGV the event, retention ms, its order id.
    // Returns {the claimed event, the claimed order in the view or false, its final status or
    // false}: a new claim is never in the view yet; an earlier one is once its event was published.
    private const string ClaimScript = """
        local previous = redis.call('HMGET', KEYS[1], 'event', 'order')
        if not previous[1] then
          redis.call('HSET', KEYS[1], 'event', ARGV[1], 'order', ARGV[3])
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return {ARGV[1], false, false}
        end
        return {previous[1], redis.call('HGET', KEYS[2], previous[2]), redis.call('HGET', KEYS[3], previous[2])}
        """;

    // KEYS[1] settlement; ARGV status, outcome (Any), retention ms. Returns {outcome, cancellation or false}
    // as recorded first.
    private const string SettleScript = """
        local recorded = redis.call('HGET', KEYS[1], 'outcome')
        if recorded then
          return {recorded, redis.call('HGET', KEYS[1], 'cancellation')}
        end
        redis.call('HSET', KEYS[1], 'status', ARGV[1], 'outcome', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return {ARGV[2], false}
        """;

    // KEYS[1] settlement; ARGV cancellation while pending, cancellation after confirmation (Any),
    // retention ms, the rejected status, the cancelled status. Returns {outcome or false, cancellation or false}.
    private const string CancelScript = """
        local cancellation = redis.call('HGET', KEYS[1], 'cancellation')
        if cancellation then
          return {redis.call('HGET', KEYS[1], 'outcome'), cancellation}
        end
        local status = redis.call('HGET', KEYS[1], 'status')
        if status == ARGV[4] then
          return {redis.call('HGET', KEYS[1], 'outcome'), false}
        end
        if not status then
          redis.call('HSET', KEYS[1], 'status', ARGV[5], 'outcome', ARGV[1], 'cancellation', ARGV[1])
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
          return {ARGV[1], ARGV[1]}
        end
        redis.call('HSET', KEYS[1], 'cancellation', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return {redis.call('HGET', KEYS[1], 'outcome'), ARGV[2]}
        """;

    /// <summary>
    /// Claims the idempotency key for <paramref name="candidate"/> unless it was claimed before,
    /// and returns the event it is claimed for, with that order as the view shows it if its event
    /// was published already (<paramref name="liveView"/>: the user's view, live generation).
    /// </summary>
    public async Task<(OrderPlaced Placed, Order? Existing)> ClaimAsync(
        OrderPlaced candidate, OrderViewKeys liveView, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            ClaimScript,
            [$"orders:{{{candidate.UserId}}}:idempotency:{candidate.IdempotencyKey}", liveView.Items, liveView.Status],
            [candidate.ToByteArray(), (long)options.Value.IdempotencyRetention.TotalMilliseconds, candidate.OrderId]))!;
        var placed = OrderPlaced.Parser.ParseFrom((byte[])reply[0]!);
        return (placed, reply[1].IsNull ? null : OrderViews.FromStored((byte[])reply[1]!, reply[2]));
    }

    /// <summary>
    /// Records <paramref name="candidate"/> (an OrderConfirmed or OrderRejected) as the order's
    /// outcome unless one was recorded before, and returns the settlement as recorded: a
    /// redelivered credit event gets back the very events (same event ids) of the first time.
    /// </summary>
    public async Task<Settlement> SettleAsync(IMessage candidate, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var outcome = OrderOutcome.Of(candidate);
        var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            SettleScript,
            [SettlementKey(outcome.UserId, outcome.OrderId)],
            [(int)outcome.Status, Any.Pack(candidate).ToByteArray(), RetentionMs]))!;
        return Read(reply);
    }

    /// <summary>
    /// Records the cancellation of the order (the first one wins): <paramref name="whilePending"/>
    /// if it has no outcome yet, which then becomes its outcome, <paramref name="afterConfirmation"/>
    /// if it was confirmed. A rejected order is not cancelled: its settlement comes back without one.
    /// </summary>
    public async Task<Settlement> CancelAsync(OrderCancelled whilePending, OrderCancelled afterConfirmation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            CancelScript,
            [SettlementKey(whilePending.UserId, whilePending.OrderId)],
            [
                Any.Pack(whilePending).ToByteArray(), Any.Pack(afterConfirmation).ToByteArray(), RetentionMs,
                (int)OrderStatus.Rejected, (int)OrderStatus.Cancelled,
            ]))!;
        return Read(reply);
    }

    /// <summary>The order's settlement as recorded, if it has one.</summary>
    public async Task<Settlement?> FindAsync(string userId, string orderId)
    {
        var fields = await redis.GetDatabase().HashGetAsync(SettlementKey(userId, orderId), ["outcome", "cancellation"]);
        return fields[0].IsNull ? null : new Settlement(Unpack(fields[0]!), fields[1].IsNull ? null : (OrderCancelled)Unpack(fields[1]!));
    }

    private long RetentionMs => (long)window.DecisionRetention.TotalMilliseconds;

    private static Settlement Read(RedisResult[] reply)
    {
        var cancellation = reply[1].IsNull ? null : (OrderCancelled)Unpack((byte[])reply[1]!);
        return new Settlement(Unpack((byte[])reply[0]!), cancellation);
    }

    private static IMessage Unpack(byte[] recorded) => Any.Parser.ParseFrom(recorded).Unpack(Outcomes);

    private static string SettlementKey(string userId, string orderId) => $"orders:{{{userId}}}:settlement:{orderId}";
}
