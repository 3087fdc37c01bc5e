using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Events.V1;
using Mesh.Coordination.Locks;
using StackExchange.Redis;

namespace Mesh.Users.Credit;

/// <summary>
/// The credit decision state of each user under <c>users:{&lt;user id&gt;}:credit…</c> (one hash
/// tag per user, so it runs on Redis Cluster): the reserved total, and every decision taken with
/// the event it emits, keyed by the event_id of the OrderPlaced that caused it. This is recorded
/// state, not a view: it is never rebuilt from the log, because the decision depends on the order
/// in which requests were taken.
/// </summary>
public sealed class CreditStore(IConnectionMultiplexer redis)
{
    // KEYS[1] credit hash, KEYS[2] decisions hash; ARGV cause id, reserved as read, reserved after,
    // the decision (google.protobuf.Any). A decision recorded before wins; a reserved total that
    // moved since it was read refuses the write (it cannot under the lock; a guard, not a path).
    private const string RecordScript = """
        local previous = redis.call('HGET', KEYS[2], ARGV[1])
        if previous then
          return {'recorded', previous}
        end
        local reserved = redis.call('HGET', KEYS[1], 'reserved') or '0'
        if reserved ~= ARGV[2] then
          return {'moved', reserved}
        end
        if ARGV[3] ~= ARGV[2] then
          redis.call('HSET', KEYS[1], 'reserved', ARGV[3])
        end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
        return {'decided', ARGV[4]}
        """;

    public async Task<long> ReservedAsync(string userId) =>
        (long?)await redis.GetDatabase().HashGetAsync(CreditKey(userId), "reserved") ?? 0;

    /// <summary>The decision recorded for the OrderPlaced with <paramref name="causeEventId"/>, if any.</summary>
    public async Task<IMessage?> FindDecisionAsync(string userId, string causeEventId) =>
        await redis.GetDatabase().HashGetAsync(DecisionsKey(userId), causeEventId) is { IsNull: false } stored
            ? Unpack(stored!)
            : null;

    /// <summary>
    /// Records <paramref name="decision"/> for <paramref name="causeEventId"/> and moves the reserved
    /// total from <paramref name="reservedBefore"/> to <paramref name="reservedAfter"/>, as the holder
    /// of the user's credit lock with <paramref name="fencingToken"/>; or returns the decision
    /// recorded for that cause before. <see cref="CreditRecord.Fenced"/> when a later holder of the
    /// lock has written already.
    /// </summary>
    public async Task<CreditRecord> RecordAsync(
        string userId, string causeEventId, long reservedBefore, long reservedAfter, IMessage decision,
        long fencingToken, CancellationToken cancellationToken)
    {
        var written = await redis.GetDatabase().FencedWriteAsync(
            FenceKey(userId),
            fencingToken,
            RecordScript,
            [CreditKey(userId), DecisionsKey(userId)],
            [causeEventId, reservedBefore, reservedAfter, Any.Pack(decision).ToByteArray()],
            cancellationToken);
        if (!written.Applied)
        {
            return CreditRecord.Fenced;
        }

        var reply = (RedisResult[])written.Reply!;
        return (string)reply[0]! switch
        {
            "moved" => CreditRecord.Moved,
            _ => new CreditRecord(CreditRecordOutcome.Recorded, Unpack((byte[])reply[1]!)),
        };
    }

    private static IMessage Unpack(byte[] stored)
    {
        var any = Any.Parser.ParseFrom(stored);
        return any.Is(CreditReserved.Descriptor) ? any.Unpack<CreditReserved>() : any.Unpack<CreditRejected>();
    }

    private static string CreditKey(string userId) => $"users:{{{userId}}}:credit";

    private static string DecisionsKey(string userId) => $"users:{{{userId}}}:credit:decisions";

    private static string FenceKey(string userId) => $"users:{{{userId}}}:credit:fence";
}
