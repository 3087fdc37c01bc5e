namespace Mesh.Coordination.Locks;

/// <summary>
/// The lock's atomic steps on one Redis instance. The owner key holds <c>grantId:owner</c>; the
/// fence key holds the last fencing token, a hybrid clock: each grant's token is the larger of the
/// server's clock in microseconds and the last token plus one, and the key expires
/// <c>Locks:FenceRetention</c> after the last grant (README: why tokens still only grow). Extend
/// and release answer 1 (done), 0 (no lock) or 2 (the lock is someone else's); an empty grant id
/// matches any grant of the owner.
/// </summary>
internal static class LockScripts
{
    /// <summary>KEYS owner, fence; ARGV value, ttl ms, fence retention ms. The new fencing token, or 0 when held.</summary>
    public const string Acquire = """
        if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return 0
        end
        local now = redis.call('TIME')
        local token = tonumber(now[1]) * 1000000 + tonumber(now[2])
        local last = tonumber(redis.call('GET', KEYS[2]) or '0')
        if token <= last then
          token = last + 1
        end
        redis.call('SET', KEYS[2], string.format('%.0f', token), 'PX', ARGV[3])
        return token
        """;

    /// <summary>KEYS owner; ARGV owner, grant id, ttl ms.</summary>
    public const string Extend = CheckOwner + """
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    /// <summary>KEYS owner; ARGV owner, grant id.</summary>
    public const string Release = CheckOwner + """
        redis.call('DEL', KEYS[1])
        return 1
        """;

    /// <summary>
    /// KEYS fence; ARGV token, fence retention ms. Raises the counter to the token (never lowers
    /// it), so that a quorum of masters remembers every granted token (see RedlockBackend).
    /// </summary>
    public const string RaiseFence = """
        if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        end
        return 1
        """;

    private const string CheckOwner = """
        local v = redis.call('GET', KEYS[1])
        if not v then
          return 0
        end
        local sep = string.find(v, ':', 1, true)
        if not sep or string.sub(v, sep + 1) ~= ARGV[1] or (ARGV[2] ~= '' and string.sub(v, 1, sep - 1) ~= ARGV[2]) then
          return 2
        end

        """;
}
