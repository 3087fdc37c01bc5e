namespace Mesh.Gateway.Sessions;

/// <summary>Session changes as atomic scripts on one session key, on the Redis server's clock (ms).</summary>
internal static class SessionScripts
{
    /// <summary>KEYS[1] session; ARGV user id, client info, idle ms, max lifetime ms. Returns the expiry, ms since epoch.</summary>
    public const string Create = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local ttl = math.min(tonumber(ARGV[3]), tonumber(ARGV[4]))
        redis.call('HSET', KEYS[1], 'user_id', ARGV[1], 'client', ARGV[2], 'created_ms', now, 'last_used_ms', now)
        redis.call('PEXPIRE', KEYS[1], ttl)
        return now + ttl
        """;

    /// <summary>KEYS[1] session; ARGV idle ms, max lifetime ms. Returns the user id, or nil.</summary>
    public const string Touch = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local s = redis.call('HMGET', KEYS[1], 'user_id', 'created_ms')
        if not s[1] or not s[2] then
          return false
        end
        local deadline = tonumber(s[2]) + tonumber(ARGV[2])
        if now >= deadline then
          redis.call('DEL', KEYS[1])
          return false
        end
        redis.call('HSET', KEYS[1], 'last_used_ms', now)
        redis.call('PEXPIRE', KEYS[1], math.min(tonumber(ARGV[1]), deadline - now))
        return s[1]
        """;

    /// <summary>KEYS[1] session; ARGV user id. Deletes the session only if it is that user's; returns 1 when deleted.</summary>
    public const string RevokeOwned = """
        if redis.call('HGET', KEYS[1], 'user_id') == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    /// <summary>KEYS[1] session. Returns { user id, client, created ms, last used ms, ttl ms }, or nil.</summary>
    public const string Describe = """
        local s = redis.call('HMGET', KEYS[1], 'user_id', 'client', 'created_ms', 'last_used_ms')
        if not s[1] then
          return false
        end
        return { s[1], s[2], s[3], s[4], redis.call('PTTL', KEYS[1]) }
        """;
}
