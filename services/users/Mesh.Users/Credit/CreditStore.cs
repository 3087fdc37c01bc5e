using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Events.V1;
using Mesh.Locks;
using Mesh.ServiceDefaults.Events;
using StackExchange.Redis;

namespace Mesh.Users.Credit;

/// <summary>
/// The credit state of each user under <c>users:{&lt;user id&gt;}:credit…</c> (one hash tag per user,
/// so it runs on Redis Cluster): the reserved total, and per order what was recorded about its
/// credit (<see cref="OrderCredit"/>: the decision with the event it emits, the release, or that the
/// order ended first), kept for <c>Events:DecisionRetention</c>, longer than any redelivery of the
/// events that lead to it. This is recorded state, not a view: it is never rebuilt from the log,
/// because each decision depends on the order in which requests were taken. Each write is a
/// compare-and-set against what its decision was made from; releases and ends are also fenced by
/// the user's credit lock.
/// </summary>
public sealed class CreditStore(IConnectionMultiplexer redis, EventWindow window)
{
    // KEYS credit, order. {decision, release, ended, reserved, limit}: all a decision reads.
    private const string ReadScript = """
        local order = redis.call('HMGET', KEYS[2], 'decision', 'release', 'ended')
        local credit = redis.call('HMGET', KEYS[1], 'reserved', 'limit')
        return {order[1], order[2], order[3], credit[1], credit[2]}
        """;

    // KEYS credit, order; ARGV reserved as read, reserved after, decision (Any), retention ms, the
    // user's limit ('' when unknown), how the order had ended as read ('' if not). A decision
    // recorded before wins; a reserved total or an end that changed since the read refuses the
    // write ('moved': another decision or a release of the same user came first). The limit is
    // remembered next to the reserved total, so the next decision reads both at once.
    private const string DecideScript = """
        local previous = redis.call('HGET', KEYS[2], 'decision')
        if previous then
          return {'recorded', previous}
        end
        if (redis.call('HGET', KEYS[1], 'reserved') or '0') ~= ARGV[1] then
          return {'moved'}
        end
        if (redis.call('HGET', KEYS[2], 'ended') or '') ~= ARGV[6] then
          return {'moved'}
        end
        if ARGV[2] ~= ARGV[1] then
          redis.call('HSET', KEYS[1], 'reserved', ARGV[2])
        end
        if ARGV[5] ~= '' then
          redis.call('HSETNX', KEYS[1], 'limit', ARGV[5])
        end
        redis.call('HSET', KEYS[2], 'decision', ARGV[3])
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        return {'recorded', ARGV[3]}
        """;

    // KEYS credit, order; ARGV reserved as read, reserved after, release (Any), retention ms, the
    // decision it releases. The first release wins; it releases only the decision it was made for.
    private const string ReleaseScript = """
        local previous = redis.call('HGET', KEYS[2], 'release')
        if previous then
          return {'recorded', previous}
        end
        if redis.call('HGET', KEYS[2], 'decision') ~= ARGV[5] then
          return {'moved'}
        end
        if (redis.call('HGET', KEYS[1], 'reserved') or '0') ~= ARGV[1] then
          return {'moved'}
        end
        redis.call('HSET', KEYS[1], 'reserved', ARGV[2])
        redis.call('HSET', KEYS[2], 'release', ARGV[3])
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        return {'recorded', ARGV[3]}
        """;

    // KEYS order; ARGV how it ended, retention ms. Only for an order without a decision.
    private const string EndScript = """
        if redis.call('HEXISTS', KEYS[1], 'decision') == 1 then
          return {'moved'}
        end
        redis.call('HSETNX', KEYS[1], 'ended', ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return {'recorded'}
        """;

    /// <summary>What a decision for the order reads, in one round trip: its record, the reserved total, the remembered limit.</summary>
    public async Task<CreditState> ReadAsync(string userId, string orderId)
    {
        var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            ReadScript, [CreditKey(userId), OrderKey(userId, orderId)]))!;
        var record = new OrderCredit(
            reply[0].IsNull ? null : Unpack((byte[])reply[0]!),
            reply[1].IsNull ? null : (CreditReleased)Unpack((byte[])reply[1]!),
            reply[2].IsNull ? null : (string?)reply[2]);
        return new CreditState(record, reply[3].IsNull ? 0 : (long)reply[3], reply[4].IsNull ? null : (long)reply[4]);
    }

    public async Task<long> ReservedAsync(string userId) =>
        (long?)await redis.GetDatabase().HashGetAsync(CreditKey(userId), "reserved") ?? 0;

    /// <summary>What is recorded about the order's credit (<see cref="OrderCredit.None"/> when nothing).</summary>
    public async Task<OrderCredit> FindAsync(string userId, string orderId)
    {
        var fields = await redis.GetDatabase().HashGetAsync(OrderKey(userId, orderId), ["decision", "release", "ended"]);
        return new OrderCredit(
            fields[0].IsNull ? null : Unpack((byte[])fields[0]!),
            fields[1].IsNull ? null : (CreditReleased)Unpack((byte[])fields[1]!),
            fields[2].IsNull ? null : (string?)fields[2]);
    }

    /// <summary>
    /// Records <paramref name="decision"/> for its order and moves the reserved total from
    /// <paramref name="reservedBefore"/> to <paramref name="reservedAfter"/>, only if what the
    /// decision was made from still holds: the reserved total and how the order ended
    /// (<paramref name="endedAs"/>, null if it had not) are as read. Otherwise
    /// <see cref="CreditRecordOutcome.Moved"/>: read again and decide again. Returns the decision
    /// recorded for that order before, if any. No lock: the script's compare-and-set is the whole
    /// guard, so a writer paused between its read and this write can only be refused.
    /// </summary>
    public async Task<CreditRecord> DecideAsync(
        string userId, string orderId, long reservedBefore, long reservedAfter, IMessage decision, string? endedAs, long? limitCents = null)
    {
        var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            DecideScript,
            [CreditKey(userId), OrderKey(userId, orderId)],
            [reservedBefore, reservedAfter, Pack(decision), RetentionMs, limitCents is { } limit ? limit : "", endedAs ?? ""]))!;
        return Recorded(reply);
    }

    /// <summary>Records <paramref name="release"/> of <paramref name="reservation"/> and gives its amount back.</summary>
    public async Task<CreditRecord> ReleaseAsync(
        CreditReserved reservation, long reservedBefore, CreditReleased release, long fencingToken, CancellationToken cancellationToken) =>
        await WriteAsync(reservation.UserId, fencingToken, ReleaseScript,
            [CreditKey(reservation.UserId), OrderKey(reservation.UserId, reservation.OrderId)],
            [reservedBefore, release.ReservedTotalCents, Pack(release), RetentionMs, Pack(reservation)], cancellationToken);

    /// <summary>Records that the order ended (<paramref name="endedAs"/>) before any credit decision.</summary>
    public async Task<CreditRecord> EndAsync(
        string userId, string orderId, string endedAs, long fencingToken, CancellationToken cancellationToken) =>
        await WriteAsync(userId, fencingToken, EndScript, [OrderKey(userId, orderId)], [endedAs, RetentionMs], cancellationToken);

    private async Task<CreditRecord> WriteAsync(
        string userId, long fencingToken, string script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        var written = await redis.GetDatabase().FencedWriteAsync(FenceKey(userId), fencingToken, script, keys, values, cancellationToken);
        if (!written.Applied)
        {
            return CreditRecord.Fenced;
        }

        return Recorded((RedisResult[])written.Reply!);
    }

    private static CreditRecord Recorded(RedisResult[] reply) =>
        (string)reply[0]! switch
        {
            "moved" => CreditRecord.Moved,
            _ => new CreditRecord(CreditRecordOutcome.Recorded, reply.Length > 1 ? Unpack((byte[])reply[1]!) : null),
        };

    private long RetentionMs => (long)window.DecisionRetention.TotalMilliseconds;

    // Any of a message packs deterministically, so the release script can compare a decision byte for byte.
    private static byte[] Pack(IMessage message) => Any.Pack(message).ToByteArray();

    private static IMessage Unpack(byte[] stored)
    {
        var any = Any.Parser.ParseFrom(stored);
        return any.Is(CreditReserved.Descriptor) ? any.Unpack<CreditReserved>()
            : any.Is(CreditReleased.Descriptor) ? any.Unpack<CreditReleased>()
            : any.Unpack<CreditRejected>();
    }

    private static string CreditKey(string userId) => $"users:{{{userId}}}:credit";

    private static string OrderKey(string userId, string orderId) => $"users:{{{userId}}}:credit:order:{orderId}";

    private static string FenceKey(string userId) => $"users:{{{userId}}}:credit:fence";
}
