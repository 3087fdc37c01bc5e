using Mesh.ServiceDefaults.Events;
using StackExchange.Redis;

namespace Mesh.Users.Spending;

/// <summary>
/// The views derived from CreditReserved and CreditReleased: each user's spend (a hash, exact
/// integers: reserved minus released), the top spenders (a sorted set) and the events already
/// counted (so a redelivered event counts once, recorded in the same script as its effect): a
/// sorted set by event time, trimmed to <c>Events:DecisionRetention</c> as it grows, since an
/// event older than the redelivery horizon is never applied again anyway. They live in two key
/// spaces, <c>live</c> (what queries read) and <c>rebuild</c> (filled by a replay, then renamed
/// over <c>live</c>). All keys share the hash tag <c>{views}</c>: the leaderboard is one sorted
/// set anyway, and RENAME needs source and target in one slot on Redis Cluster.
/// </summary>
public sealed class SpendingViews(IConnectionMultiplexer redis, EventWindow window, TimeProvider clock)
{
    private const string Prefix = "users:{views}";

    /// <summary>While it exists, every live event is applied to the rebuild key space too.</summary>
    public const string RebuildMarkerKey = Prefix + ":rebuild";

    /// <summary>Hash: generation (incremented at each switch), rebuild_id, switched_at.</summary>
    public const string GenerationKey = Prefix + ":generation";

    public static readonly RedisKey[] Live = Space("live");

    public static readonly RedisKey[] Rebuild = Space("rebuild");

    // counted: ZADD NX by event time (ms); the trim drops what is older than the retention.
    private const string ApplyFunction = """
        local function apply(spend, top, counted, id, at, trim, user, amount)
          if redis.call('ZADD', counted, 'NX', at, id) == 0 then
            return 0
          end
          redis.call('ZREMRANGEBYSCORE', counted, '-inf', '(' .. trim)
          redis.call('HINCRBY', spend, user, amount)
          redis.call('ZINCRBY', top, amount, user)
          return 1
        end

        """;

    // KEYS live spend, top, counted, the marker, rebuild spend, top, counted; ARGV id, at, trim, user, amount.
    private const string ApplyLiveScript = ApplyFunction + """
        local applied = apply(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
        if redis.call('EXISTS', KEYS[4]) == 1 then
          apply(KEYS[5], KEYS[6], KEYS[7], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
        end
        return applied
        """;

    // KEYS the marker, rebuild spend, top, counted; ARGV rebuild id, id, at, trim, user, amount.
    // -1 when the rebuild is no longer the current one (superseded, or its marker expired).
    private const string ApplyRebuildScript = ApplyFunction + """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then
          return -1
        end
        return apply(KEYS[2], KEYS[3], KEYS[4], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
        """;

    /// <summary>Counts the event once in the live views (and in the rebuild, while one runs).</summary>
    public async Task<bool> ApplyAsync(SpendingChange change) =>
        (long)await redis.GetDatabase().ScriptEvaluateAsync(
            ApplyLiveScript,
            [.. Live, RebuildMarkerKey, .. Rebuild],
            [change.Id, CountedAt(change), TrimBefore, change.UserId, change.AmountCents]) == 1;

    /// <summary>Counts the event in the rebuild key space of <paramref name="rebuildId"/>; false once that rebuild is not current.</summary>
    public async Task<bool> ApplyToRebuildAsync(string rebuildId, SpendingChange change) =>
        (long)await redis.GetDatabase().ScriptEvaluateAsync(
            ApplyRebuildScript,
            [RebuildMarkerKey, .. Rebuild],
            [rebuildId, change.Id, CountedAt(change), TrimBefore, change.UserId, change.AmountCents]) >= 0;

    private long TrimBefore => (clock.GetUtcNow() - window.DecisionRetention).ToUnixTimeMilliseconds();

    // An event without a time (none of ours) is kept as if it happened now.
    private long CountedAt(SpendingChange change) => (change.At ?? clock.GetUtcNow()).ToUnixTimeMilliseconds();

    public async Task<long> SpentAsync(string userId) =>
        (long?)await redis.GetDatabase().HashGetAsync(Live[0], userId) ?? 0;

    /// <summary>Highest spend first; ties in user id order, descending.</summary>
    public async Task<(IReadOnlyList<(string UserId, long SpentCents)> Page, bool HasMore)> TopAsync(int offset, int count)
    {
        var entries = await redis.GetDatabase().SortedSetRangeByRankWithScoresAsync(
            Live[1], offset, offset + count, Order.Descending);
        var page = entries.Take(count).Select(e => ((string)e.Element!, (long)e.Score)).ToList();
        return (page, entries.Length > count);
    }

    /// <summary>The generation of the live views (0 before the first replay) and the rebuild that made it.</summary>
    public async Task<(long Generation, string RebuildId)> GenerationAsync()
    {
        var fields = await redis.GetDatabase().HashGetAsync(GenerationKey, ["generation", "rebuild_id"]);
        return ((long?)fields[0] ?? 0, (string?)fields[1] ?? "");
    }

    private static RedisKey[] Space(string name) =>
        [$"{Prefix}:{name}:spend", $"{Prefix}:{name}:top", $"{Prefix}:{name}:counted"];
}
