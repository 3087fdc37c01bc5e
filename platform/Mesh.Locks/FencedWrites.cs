using StackExchange.Redis;

namespace Mesh.Locks;

/// <summary>
/// Writes that a lock protects, checked against the highest fencing token seen for the protected
/// resource (a compare-and-set in the same script as the write). A holder whose lock expired while
/// it was paused carries a lower token than the holder after it, so its late write is rejected.
/// Equal tokens pass: one holder may write several times. The fence key and the written keys must
/// share a hash tag on Redis Cluster.
/// </summary>
public static class FencedWrites
{
    private const string Check = """
        local seen = tonumber(redis.call('GET', KEYS[1]) or '0')
        local token = tonumber(ARGV[1])
        if token < seen then
          return {0, seen}
        end
        if token > seen then
          redis.call('SET', KEYS[1], ARGV[1])
        end
        local KEYS = {unpack(KEYS, 2)}
        local ARGV = {unpack(ARGV, 2)}
        local function write()

        """;

    private const string StringSet = """
        if ARGV[2] == '0' then
          return redis.call('SET', KEYS[1], ARGV[1])
        end
        return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        """;

    /// <summary>
    /// Runs <paramref name="writeScript"/> (Lua, seeing only <paramref name="keys"/> as KEYS and
    /// <paramref name="values"/> as ARGV) unless <paramref name="fenceKey"/> has seen a higher token.
    /// </summary>
    public static async Task<FencedWriteResult> FencedWriteAsync(
        this IDatabase database, RedisKey fenceKey, long fencingToken, string writeScript,
        RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var reply = (RedisResult[])(await database.ScriptEvaluateAsync(
            Check + writeScript + "\nend\nreturn {1, token, write()}", [fenceKey, .. keys], [fencingToken, .. values]))!;
        return (long)reply[0] == 1
            ? new FencedWriteResult(true, fencingToken, reply.Length > 2 ? reply[2] : null)
            : new FencedWriteResult(false, (long)reply[1], null);
    }

    /// <summary>SET <paramref name="key"/> to <paramref name="value"/> (with an optional expiry) if the token is current.</summary>
    public static Task<FencedWriteResult> FencedStringSetAsync(
        this IDatabase database, RedisKey fenceKey, long fencingToken, RedisKey key, RedisValue value,
        TimeSpan? expiry, CancellationToken cancellationToken) =>
        database.FencedWriteAsync(
            fenceKey, fencingToken, StringSet, [key],
            [value, expiry is { } ttl ? Math.Max(1, (long)ttl.TotalMilliseconds) : 0], cancellationToken);
}
