using StackExchange.Redis;

namespace Mesh.ServiceDefaults.Redis;

/// <summary>
/// Versioned key spaces for views whose keys are spread over many hash tags (one per user), so
/// that a rebuild can replace all of them at once on Redis Cluster, where no script renames keys
/// of many slots. Every view key names its generation (<see cref="Scope"/>); one small hash under
/// <c>&lt;prefix&gt;:{views}</c> says which generation is live, and a rebuild fills a fresh one and
/// switches by changing that single field. While a rebuild runs, its marker names its generation
/// and live writers write to both (<see cref="TargetsAsync"/>). Generation 0 is the key space of
/// a service that was never rebuilt.
/// <para>
/// Readers and writers use the targets as read at most <see cref="CacheFor"/> ago, so a request
/// costs no extra round trip for them. What makes that safe: a rebuild waits that long after
/// setting its marker before it captures the log's end (so every event it does not read is
/// written by someone who saw the marker), and until the switch the targets a writer holds name
/// the rebuild too; after the switch, reads may see the replaced generation for that long, which
/// is complete up to the switch.
/// </para>
/// </summary>
public sealed class ViewGenerations(IConnectionMultiplexer redis, string prefix, TimeProvider clock, TimeSpan? cacheFor = null)
{
    /// <summary>How long a read of the targets is reused, unless the constructor says otherwise.</summary>
    public static readonly TimeSpan DefaultCacheFor = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private (ViewTargets Targets, long ReadAt)? _cached;

    // KEYS state, marker. Returns {live generation, rebuild generation or false}.
    private const string TargetsScript = """
        local live = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
        local marker = redis.call('GET', KEYS[2])
        if not marker then
          return {live, false}
        end
        return {live, tonumber(string.match(marker, ' (%d+)$'))}
        """;

    // KEYS state, marker; ARGV rebuild id, ttl ms. Returns {running rebuild id} or {false, generation}.
    private const string BeginScript = """
        local running = redis.call('GET', KEYS[2])
        if running then
          return {string.match(running, '^(%S+)')}
        end
        local generation = redis.call('HINCRBY', KEYS[1], 'allocated', 1)
        local live = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
        if generation <= live then
          generation = live + 1
          redis.call('HSET', KEYS[1], 'allocated', generation)
        end
        redis.call('SET', KEYS[2], ARGV[1] .. ' ' .. generation, 'PX', ARGV[2])
        return {false, generation}
        """;

    // KEYS marker; ARGV rebuild id, ttl ms.
    private const string RefreshScript = """
        local marker = redis.call('GET', KEYS[1])
        if not marker or string.match(marker, '^(%S+)') ~= ARGV[1] then
          return 0
        end
        return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        """;

    // KEYS state, marker; ARGV rebuild id, now ms. The new live generation, or -1 when the marker
    // is not this rebuild's; also returns the generation it replaced.
    private const string SwitchScript = """
        local marker = redis.call('GET', KEYS[2])
        if not marker or string.match(marker, '^(%S+)') ~= ARGV[1] then
          return {-1, -1}
        end
        local generation = tonumber(string.match(marker, ' (%d+)$'))
        local previous = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
        redis.call('HSET', KEYS[1], 'generation', generation, 'rebuild_id', ARGV[1], 'switched_at', ARGV[2])
        redis.call('DEL', KEYS[2])
        return {generation, previous}
        """;

    // KEYS marker; ARGV rebuild id. Returns the abandoned generation, or -1.
    private const string AbortScript = """
        local marker = redis.call('GET', KEYS[1])
        if not marker or string.match(marker, '^(%S+)') ~= ARGV[1] then
          return -1
        end
        redis.call('DEL', KEYS[1])
        return tonumber(string.match(marker, ' (%d+)$'))
        """;

    private RedisKey StateKey => $"{prefix}:{{views}}:generation";

    private RedisKey MarkerKey => $"{prefix}:{{views}}:rebuild";

    /// <summary>The key prefix of <paramref name="ownerId"/>'s views in <paramref name="generation"/>.</summary>
    public string Scope(string ownerId, long generation) => Scope(prefix, ownerId, generation);

    /// <summary>The key prefix of an owner's views of <paramref name="prefix"/> in a generation.</summary>
    public static string Scope(string prefix, string ownerId, long generation) =>
        generation == 0 ? $"{prefix}:{{{ownerId}}}" : $"{prefix}:{{{ownerId}}}:g{generation}";

    /// <summary>The live generation: what reads use.</summary>
    public async Task<long> LiveAsync() => (await TargetsAsync()).Live;

    /// <summary>How stale the targets a reader or writer uses may be: a rebuild waits this long after its marker.</summary>
    public TimeSpan CacheFor { get; } = cacheFor ?? DefaultCacheFor;

    /// <summary>
    /// The generations a live write goes to: the live one, and a running rebuild's; as read at most
    /// <see cref="CacheFor"/> ago unless <paramref name="fresh"/>.
    /// </summary>
    public async Task<ViewTargets> TargetsAsync(bool fresh = false)
    {
        lock (_gate)
        {
            if (!fresh && _cached is { } cached && clock.GetElapsedTime(cached.ReadAt) < CacheFor)
            {
                return cached.Targets;
            }
        }

        // Taken before the read: the entry is never thought fresher than the answer it holds.
        var readAt = clock.GetTimestamp();
        var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(TargetsScript, [StateKey, MarkerKey]))!;
        var targets = new ViewTargets((long)reply[0], reply[1].IsNull ? null : (long)reply[1]);
        lock (_gate)
        {
            if (_cached is not { } newer || newer.ReadAt < readAt)
            {
                _cached = (targets, readAt);
            }
        }

        return targets;
    }

    /// <summary>The running rebuild's id, or null after this one's marker was set (with its generation).</summary>
    public async Task<(string? Running, long Generation)> BeginAsync(string rebuildId, TimeSpan markerTtl)
    {
        var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            BeginScript, [StateKey, MarkerKey], [rebuildId, (long)markerTtl.TotalMilliseconds]))!;
        return reply[0].IsNull ? (null, (long)reply[1]) : ((string?)reply[0], 0);
    }

    /// <summary>True while the marker is still this rebuild's (and its TTL was extended).</summary>
    public async Task<bool> RefreshAsync(string rebuildId, TimeSpan markerTtl) =>
        (long)await redis.GetDatabase().ScriptEvaluateAsync(RefreshScript, [MarkerKey], [rebuildId, (long)markerTtl.TotalMilliseconds]) == 1;

    /// <summary>Makes the rebuild's generation live; null when the marker is not this rebuild's.</summary>
    public async Task<(long Live, long Replaced)?> SwitchAsync(string rebuildId, DateTimeOffset now)
    {
        var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            SwitchScript, [StateKey, MarkerKey], [rebuildId, now.ToUnixTimeMilliseconds()]))!;
        return (long)reply[0] < 0 ? null : ((long)reply[0], (long)reply[1]);
    }

    /// <summary>Clears the marker if it is this rebuild's; the abandoned generation, or null.</summary>
    public async Task<long?> AbortAsync(string rebuildId)
    {
        var generation = (long)await redis.GetDatabase().ScriptEvaluateAsync(AbortScript, [MarkerKey], [rebuildId]);
        return generation < 0 ? null : generation;
    }

    /// <summary>
    /// Deletes the view keys (those ending in one of <paramref name="suffixes"/>) of a generation
    /// that is neither live nor being rebuilt, on every master: SCAN, then UNLINK one key at a time
    /// (keys of different slots cannot share a command on Cluster). For a generation left behind by
    /// a switch or an aborted rebuild; a background job, never on a request's path.
    /// </summary>
    public async Task<long> DropAsync(long generation, IReadOnlyList<string> suffixes, CancellationToken cancellationToken)
    {
        var targets = await TargetsAsync(fresh: true);
        if (generation == targets.Live || generation == targets.Rebuild)
        {
            throw new InvalidOperationException($"Generation {generation} of {prefix} is in use.");
        }

        long dropped = 0;
        var database = redis.GetDatabase();
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            foreach (var suffix in suffixes)
            {
                var pattern = $"{Scope("*", generation)}:{suffix}";
                await foreach (var key in server.KeysAsync(pattern: pattern, pageSize: 1000).WithCancellation(cancellationToken))
                {
                    dropped += (long)await database.ExecuteAsync("UNLINK", key);
                }
            }
        }

        return dropped;
    }
}
