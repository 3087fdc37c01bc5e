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
}
