using Mesh.Testing;
using StackExchange.Redis;

namespace Mesh.IntegrationTests;

/// <summary>One redis-server per test class, emptied before each test.</summary>
public abstract class RedisTestBase(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    protected IConnectionMultiplexer Redis { get; private set; } = null!;

    protected RedisServerFixture Server => redis;

    public async Task InitializeAsync()
    {
        await redis.FlushAllAsync();
        Redis = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
    }

    public async Task DisposeAsync() => await Redis.DisposeAsync();

    /// <summary>Every key and every value stored, as text, to prove what is not in Redis.</summary>
    protected async Task<List<string>> EverythingStoredAsync()
    {
        var db = Redis.GetDatabase();
        var texts = new List<string>();
        await foreach (var key in Redis.GetServer(Redis.GetEndPoints()[0]).KeysAsync(pattern: "*"))
        {
            texts.Add(key.ToString());
            texts.AddRange(await db.KeyTypeAsync(key) switch
            {
                RedisType.String => [(string?)await db.StringGetAsync(key) ?? ""],
                RedisType.Hash => (await db.HashGetAllAsync(key)).SelectMany(e => new[] { e.Name.ToString(), e.Value.ToString() }),
                RedisType.Set => (await db.SetMembersAsync(key)).Select(v => v.ToString()),
                RedisType.SortedSet => (await db.SortedSetRangeByRankAsync(key)).Select(v => v.ToString()),
                var other => throw new Xunit.Sdk.XunitException($"Key {key} has unexpected type {other}"),
            });
        }

        return texts;
    }
}
