namespace Mesh.Coordination.Quotas;

/// <summary>
/// The whole decision in one atomic script on the Redis server's clock, so that every gateway
/// instance agrees and no client clock skews it. Tokens refill continuously; a rejected call
/// takes nothing; the key expires once the bucket would be full again.
/// KEYS[1] bucket; ARGV capacity, refill per second, cost.
/// Returns { allowed, remaining tokens (string), retry after µs, full after µs }.
/// </summary>
internal static class TokenBucketScript
{
    public const string Source = """
        local capacity = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local cost = tonumber(ARGV[3])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
        local tokens = tonumber(state[1])
        local ts = tonumber(state[2])
        if tokens == nil or ts == nil then
          tokens = capacity
          ts = now
        end
        tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate / 1000000)
        local allowed = 0
        local retry = 0
        if tokens >= cost then
          tokens = tokens - cost
          allowed = 1
        else
          retry = math.ceil((cost - tokens) * 1000000 / rate)
        end
        local full = math.ceil((capacity - tokens) * 1000000 / rate)
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
        redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil(full / 1000)))
        return { allowed, tostring(tokens), retry, full }
        """;
}
