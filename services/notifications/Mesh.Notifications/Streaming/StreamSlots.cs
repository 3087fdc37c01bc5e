using StackExchange.Redis;

namespace Mesh.Notifications.Streaming;

/// <summary>
/// The Subscribe streams each user holds, over every instance: a sorted set per user of stream
/// ids scored by when their lease runs out, on Redis's clock. A stream renews its lease while it
/// lives and removes it when it ends; the lease of an instance that died runs out by itself, so
/// its streams stop counting without anyone cleaning up.
/// </summary>
public sealed class StreamSlots(IConnectionMultiplexer redis)
{
    // KEYS[1] the user's streams; ARGV lease ms, the most streams, the stream id. 1 if taken.
    private const string TakeScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
          return 0
        end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    // KEYS[1] the user's streams; ARGV lease ms, the stream id. Every renewal sets the key's TTL to
    // a full lease, which outlasts every other member's (none was renewed later).
    private const string RenewScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    public async Task<bool> TryTakeAsync(string userId, string streamId, int maxStreams, TimeSpan lease) =>
        (long)await redis.GetDatabase().ScriptEvaluateAsync(
            TakeScript, [Key(userId)], [(long)lease.TotalMilliseconds, maxStreams, streamId]) == 1;

    public Task RenewAsync(string userId, string streamId, TimeSpan lease) =>
        redis.GetDatabase().ScriptEvaluateAsync(RenewScript, [Key(userId)], [(long)lease.TotalMilliseconds, streamId]);

    public Task ReleaseAsync(string userId, string streamId) =>
        redis.GetDatabase().SortedSetRemoveAsync(Key(userId), streamId);

    public static string Key(string userId) => $"notifications:{{{userId}}}:streams";
}
