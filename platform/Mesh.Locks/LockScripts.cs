namespace Mesh.Locks;

/// <summary>
/// The lock's atomic steps on one Redis instance. The owner key holds <c>grantId:owner</c>; the
/// fence key holds the last fencing token, a hybrid clock: each grant's token is the larger of the
/// server's clock in microseconds and the last token plus one, and the key expires
/// <c>Locks:FenceRetention</c> after the last grant (README: why tokens still only grow). Extend
/// and release answer 1 (done), 0 (no lock) or 2 (the lock is someone else's); an empty grant id
/// matches any grant of the owner.
/// <para>
/// Waiters queue in arrival order (a list of waiter ids, with a sorted set of their deadlines so
/// that a waiter that stopped renewing its place is dropped by the next script that looks, and a
/// hash of the grant each one asked for). A free lock goes to the queue's head, or to anyone while
/// nobody waits; a waiter's id is the grant id it takes the lock with. A release hands the lock
/// straight to the head: it grants the head's request, for no longer than the head's place in the
/// queue lasts, and publishes <c>id token</c> on the wake channel, so the head holds the lock
/// without asking again. Whenever the lock is free and the head may not know it, a script publishes
/// the head's id alone. Publishing runs under <c>pcall</c>: an ACL user without the channel loses
/// only the messages (its waiters still re-check and find the grant), never a release.
/// </para>
/// </summary>
internal static class LockScripts
{
    /// <summary>
    /// KEYS owner, fence, queue, waiters, turns; ARGV value, ttl ms, fence retention ms, waiter id,
    /// queue lease ms (0: do not queue), wake channel. The new fencing token, or 0 when not granted
    /// (then, with a lease, the waiter is queued, or keeps its place, until the lease runs out). A
    /// waiter that a release already handed the lock to gets its token and a fresh expiry. Without
    /// a queue the script neither purges nor reads a head: an uncontended acquire runs five
    /// commands (TIME, EXISTS, SET NX, and the fence's GET and SET) instead of seven.
    /// </summary>
    public const string Acquire = Purge + Grant + """
        local now, time
        local head = false
        if redis.call('EXISTS', KEYS[3]) == 1 then
          now, time = purge(KEYS[3], KEYS[4], KEYS[5])
          head = redis.call('LINDEX', KEYS[3], 0)
        else
          time = redis.call('TIME')
          now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        end
        local free, granted
        if head then
          local holder = redis.call('GET', KEYS[1])
          if holder == ARGV[1] and ARGV[5] ~= '0' then
            -- Handed over by a release whose message this waiter has not seen (yet).
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return tonumber(redis.call('GET', KEYS[2]))
          end
          free = not holder
          granted = free and head == ARGV[4]
          if granted then
            redis.call('LPOP', KEYS[3])
            redis.call('ZREM', KEYS[4], ARGV[4])
            redis.call('HDEL', KEYS[5], ARGV[4])
            return grant(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], time)
          end
        else
          -- Nobody waits (the common case): one SET NX decides, as before waiters queued.
          if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
            return grant(false, KEYS[2], ARGV[1], ARGV[2], ARGV[3], time)
          end
          if ARGV[5] ~= '0' and redis.call('GET', KEYS[1]) == ARGV[1] then
            -- Handed over as this waiter, the last one, left the queue.
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return tonumber(redis.call('GET', KEYS[2]))
          end
          free = false
        end
        if ARGV[5] ~= '0' then
          if redis.call('ZADD', KEYS[4], now + tonumber(ARGV[5]), ARGV[4]) == 1 then
            redis.call('RPUSH', KEYS[3], ARGV[4])
            redis.call('HSET', KEYS[5], ARGV[4], ARGV[2] .. ' ' .. ARGV[1])
          end
          local latest = redis.call('ZRANGE', KEYS[4], -1, -1, 'WITHSCORES')[2]
          redis.call('PEXPIREAT', KEYS[3], latest)
          redis.call('PEXPIREAT', KEYS[4], latest)
          redis.call('PEXPIREAT', KEYS[5], latest)
        end
        if free then
          -- Free but reserved for a head that was not told (its holder's key expired, a message was lost).
          redis.pcall('PUBLISH', ARGV[6], head)
        end
        return 0
        """;

    /// <summary>KEYS owner; ARGV owner, grant id, ttl ms.</summary>
    public const string Extend = CheckOwner + """
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    /// <summary>
    /// KEYS owner, fence, queue, waiters, turns; ARGV owner, grant id, wake channel, fence retention
    /// ms. Hands the lock to the queue's head (see the class summary).
    /// </summary>
    public const string Release = Purge + Grant + CheckOwner + """
        redis.call('DEL', KEYS[1])
        if redis.call('EXISTS', KEYS[3]) == 1 then
          local now, time = purge(KEYS[3], KEYS[4], KEYS[5])
          local head = redis.call('LINDEX', KEYS[3], 0)
          if head then
            local turn = redis.call('HGET', KEYS[5], head)
            local deadline = turn and redis.call('ZSCORE', KEYS[4], head)
            local ttl = deadline and math.min(tonumber(string.match(turn, '^%d+')), math.floor(tonumber(deadline) - now))
            if ttl and ttl > 0 then
              -- The head's own request, for no longer than its place lasts: a waiter that died
              -- since its last re-check holds the lock no longer than it would have held its place.
              redis.call('LPOP', KEYS[3])
              redis.call('ZREM', KEYS[4], head)
              redis.call('HDEL', KEYS[5], head)
              local token = grant(KEYS[1], KEYS[2], string.sub(turn, string.find(turn, ' ', 1, true) + 1), ttl, ARGV[4], time)
              redis.pcall('PUBLISH', ARGV[3], head .. ' ' .. string.format('%.0f', token))
            else
              redis.pcall('PUBLISH', ARGV[3], head)
            end
          end
        end
        return 1
        """;

    /// <summary>
    /// KEYS owner, queue, waiters, turns; ARGV waiter id, wake channel. Takes the waiter out of the
    /// queue, and back the lock if a grant to it landed unseen (an attempt that timed out or was
    /// cancelled, a hand-over as it gave up); a free lock's head is woken, in case the leaver was
    /// the one it was reserved for.
    /// </summary>
    public const string Leave = Purge + """
        redis.call('LREM', KEYS[2], 1, ARGV[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
        redis.call('HDEL', KEYS[4], ARGV[1])
        local v = redis.call('GET', KEYS[1])
        if v and string.sub(v, 1, #ARGV[1] + 1) == ARGV[1] .. ':' then
          redis.call('DEL', KEYS[1])
          v = false
        end
        if not v then
          purge(KEYS[2], KEYS[3], KEYS[4])
          local head = redis.call('LINDEX', KEYS[2], 0)
          if head then
            redis.pcall('PUBLISH', ARGV[2], head)
          end
        end
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

    /// <summary>Drops the waiters whose deadline (server time, ms) has passed; returns now in ms and TIME's answer.</summary>
    private const string Purge = """
        local function purge(queue, waiters, turns)
          local time = redis.call('TIME')
          local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
          for _, id in ipairs(redis.call('ZRANGEBYSCORE', waiters, '-inf', now)) do
            redis.call('LREM', queue, 1, id)
            redis.call('ZREM', waiters, id)
            redis.call('HDEL', turns, id)
          end
          return now, time
        end

        """;

    /// <summary>
    /// Sets the owner key (unless <c>owner</c> is false: already set) and returns the grant's
    /// fencing token: the server's clock in µs, or the last token plus one if that is not above it.
    /// </summary>
    private const string Grant = """
        local function grant(owner, fence, value, ttl, retention, time)
          if owner then
            redis.call('SET', owner, value, 'PX', ttl)
          end
          local token = tonumber(time[1]) * 1000000 + tonumber(time[2])
          local last = tonumber(redis.call('GET', fence) or '0')
          if token <= last then
            token = last + 1
          end
          redis.call('SET', fence, string.format('%.0f', token), 'PX', retention)
          return token
        end

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
