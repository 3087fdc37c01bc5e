using Mesh.ServiceDefaults.Redis;
using StackExchange.Redis;

namespace Mesh.Notifications.Notifying;

/// <summary>
/// A per-owner list of serialized items, newest first: a hash of items by id and a sorted set by
/// time, both under the owner's hash tag so every write is one atomic script on one Cluster slot.
/// Adding is idempotent: an id already present changes nothing and publishes nothing; it also drops
/// the owner's items older than a given time, so the list stays within its retention. Keys live in
/// a generation of <see cref="ViewGenerations"/> (0 unless the view was rebuilt); the live channel
/// does not depend on it.
/// </summary>
public sealed class RedisTimeline(IConnectionMultiplexer redis, string prefix)
{
    /// <summary>The names the timeline's keys end with (for dropping an old generation).</summary>
    public static readonly IReadOnlyList<string> KeySuffixes = ["items", "index"];

    // KEYS items, index; ARGV id, at ms, item, channel or '', trim before ms or ''.
    private const string AddIfAbsentScript = """
        if ARGV[5] ~= '' then
          local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[5], 'LIMIT', 0, 100)
          if #expired > 0 then
            redis.call('HDEL', KEYS[1], unpack(expired))
            redis.call('ZREM', KEYS[2], unpack(expired))
          end
        end
        if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3]) == 0 then
          return 0
        end
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
        if ARGV[4] ~= '' then
          redis.call('PUBLISH', ARGV[4], ARGV[3])
        end
        return 1
        """;

    private const string PageScript = """
        local ids = redis.call('ZREVRANGE', KEYS[2], ARGV[1], ARGV[2])
        if #ids == 0 then
          return {}
        end
        return redis.call('HMGET', KEYS[1], unpack(ids))
        """;

    // KEYS[1] items, KEYS[2] index; ARGV the item, how far before it (ms), the most to return (one
    // more when there are more).
    // Oldest first; false when the item is not in the index.
    private const string SinceScript = """
        local at = redis.call('ZSCORE', KEYS[2], ARGV[1])
        if not at then
          return false
        end
        local ids = redis.call('ZRANGEBYSCORE', KEYS[2], tonumber(at) - tonumber(ARGV[2]), '+inf', 'LIMIT', 0, tonumber(ARGV[3]) + 2)
        local others = {}
        for _, id in ipairs(ids) do
          if id ~= ARGV[1] and #others <= tonumber(ARGV[3]) then
            others[#others + 1] = id
          end
        end
        if #others == 0 then
          return {}
        end
        return redis.call('HMGET', KEYS[1], unpack(others))
        """;

    public string ItemsKey(string ownerId, long generation = 0) => $"{Scope(ownerId, generation)}:items";

    public string IndexKey(string ownerId, long generation = 0) => $"{Scope(ownerId, generation)}:index";

    public RedisChannel LiveChannel(string ownerId) => RedisChannel.Literal($"{prefix}:{{{ownerId}}}:live");

    /// <summary>
    /// Adds the item unless its id exists; when added and <paramref name="publish"/>, also publishes
    /// it live. Items older than <paramref name="trimBefore"/> leave the owner's list first.
    /// </summary>
    public async Task<bool> AddIfAbsentAsync(
        string ownerId, string itemId, DateTimeOffset at, byte[] item, bool publish, long generation = 0, DateTimeOffset? trimBefore = null)
    {
        var added = await redis.GetDatabase().ScriptEvaluateAsync(
            AddIfAbsentScript,
            [ItemsKey(ownerId, generation), IndexKey(ownerId, generation)],
            [
                itemId, at.ToUnixTimeMilliseconds(), item, publish ? LiveChannel(ownerId).ToString() : "",
                trimBefore is { } trim ? trim.ToUnixTimeMilliseconds() : "",
            ]);
        return (int)added == 1;
    }

    public async Task<byte[]?> GetAsync(string ownerId, string itemId, long generation = 0) =>
        await redis.GetDatabase().HashGetAsync(ItemsKey(ownerId, generation), itemId);

    /// <summary>
    /// The items, oldest first, from <paramref name="overlap"/> before the time of
    /// <paramref name="itemId"/> on (that item itself left out), at most <paramref name="limit"/>:
    /// what an owner who last saw it may have missed. Items are indexed by the time of their event,
    /// which need not be the order they arrived in, so the overlap catches late arrivals at the price
    /// of repeats. Null when the item is unknown. More than <paramref name="limit"/> returned means
    /// there are more still.
    /// </summary>
    public async Task<IReadOnlyList<byte[]>?> SinceAsync(string ownerId, string itemId, TimeSpan overlap, int limit, long generation = 0)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(
            SinceScript, [ItemsKey(ownerId, generation), IndexKey(ownerId, generation)], [itemId, (long)overlap.TotalMilliseconds, limit]);
        return result.IsNull ? null : ((RedisResult[])result!).Where(r => !r.IsNull).Select(r => (byte[])r!).ToList();
    }

    /// <summary>Up to <paramref name="count"/> items from <paramref name="offset"/>, and whether more follow.</summary>
    public async Task<(IReadOnlyList<byte[]> Items, bool HasMore)> PageAsync(string ownerId, int offset, int count, long generation = 0)
    {
        // One more than asked tells whether another page exists without a second round trip.
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            PageScript, [ItemsKey(ownerId, generation), IndexKey(ownerId, generation)], [offset, offset + count]))!;
        var items = result.Where(r => !r.IsNull).Select(r => (byte[])r!).ToList();
        var hasMore = items.Count > count;
        return (hasMore ? items[..count] : items, hasMore);
    }

    private string Scope(string ownerId, long generation) => ViewGenerations.Scope(prefix, ownerId, generation);
}
