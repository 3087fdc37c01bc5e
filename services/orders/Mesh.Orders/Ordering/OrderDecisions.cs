using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Coordination.Locks;
using Mesh.ServiceDefaults.Events;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Orders.Ordering;

/// <summary>
/// The order service's decisions, each recorded with the event it emits before that event is
/// published, so that every retry republishes the identical event (design "record, then publish"):
/// the idempotency claim (holding its OrderPlaced, for <c>Orders:IdempotencyRetention</c>) and the
/// settlement of each order (<c>orders:{user}:settlement:&lt;order&gt;</c>: the first outcome and a
/// cancellation, for <c>Events:DecisionRetention</c>, which outlives any redelivery of the events
/// that lead to it). Keys of a user share the user's hash tag.
/// </summary>
public sealed class OrderDecisions(IConnectionMultiplexer redis, IOptions<OrderOptions> options, EventWindow window)
{
    private static readonly TypeRegistry Outcomes =
        TypeRegistry.FromMessages(OrderConfirmed.Descriptor, OrderRejected.Descriptor, OrderCancelled.Descriptor);

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
