using StackExchange.Redis;

namespace Mesh.Bench.Locks;

/// <summary>The baseline: the two commands a minimal Redis lock needs, SET NX PX and a Lua compare-and-delete.</summary>
public sealed class RawLock(IDatabase database)
{
    private const string CompareAndDelete = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    public async Task AcquireAndReleaseAsync(RedisKey key, string value)
    {
        if (!await database.StringSetAsync(key, value, TimeSpan.FromSeconds(30), When.NotExists))
        {
            throw new InvalidOperationException($"{key} was not free: is something else using this Redis?");
        }

        await database.ScriptEvaluateAsync(CompareAndDelete, [key], [value]);
    }
}
