namespace Mesh.Users.Spending;

/// <summary>The Lua of the rebuild protocol (see <see cref="SpendingRebuild"/>); keys come from SpendingViews.</summary>
internal static class RebuildScripts
{
    // KEYS marker, rebuild spend, top, applied; ARGV id, ttl ms. Returns the running rebuild's id
    // when there is one; otherwise clears what a crashed rebuild left and sets the marker.
    public const string Begin = """
        local running = redis.call('GET', KEYS[1])
        if running then
          return running
        end
        redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return false
        """;

    // KEYS marker; ARGV id, ttl ms.
    public const string Refresh = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then
          return 0
        end
        return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        """;

    // KEYS marker, rebuild spend, top, applied; ARGV id. Only the rebuild that owns the marker ends it.
    public const string Abort = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then
          return 0
        end
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
        return 1
        """;

    // KEYS marker, live spend, top, applied, rebuild spend, top, applied, generation; ARGV id, now.
    // Renames each rebuilt key over its live one (a view the log no longer has is deleted), bumps
    // the generation and clears the marker, in one step: readers see the old views or the new.
    public const string Switch = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then
          return -1
        end
        for i = 2, 4 do
          if redis.call('EXISTS', KEYS[i + 3]) == 1 then
            redis.call('RENAME', KEYS[i + 3], KEYS[i])
          else
            redis.call('DEL', KEYS[i])
          end
        end
        local generation = redis.call('HINCRBY', KEYS[8], 'generation', 1)
        redis.call('HSET', KEYS[8], 'rebuild_id', ARGV[1], 'switched_at', ARGV[2])
        redis.call('DEL', KEYS[1])
        return generation
        """;
}
