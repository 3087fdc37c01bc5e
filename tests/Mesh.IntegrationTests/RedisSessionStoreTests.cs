using Mesh.Coordination.Sessions;
using Mesh.Testing;
using Microsoft.Extensions.Options;

namespace Mesh.IntegrationTests;

public sealed class RedisSessionStoreTests(RedisServerFixture redis) : RedisTestBase(redis)
{
    private RedisSessionStore Store(TimeSpan idle, TimeSpan max) =>
        new(Redis, new StaticOptionsMonitor<SessionOptions>(new SessionOptions { IdleTimeout = idle, MaxLifetime = max }));

    [Fact]
    public async Task Authenticate_FreshToken_ReturnsUser()
    {
        var store = Store(TimeSpan.FromMinutes(5), TimeSpan.FromHours(1));
        var grant = await store.CreateAsync("usr_1", "127.0.0.1; test", CancellationToken.None);

        Assert.Equal("usr_1", await store.AuthenticateAsync(grant.Token, CancellationToken.None));
        Assert.Null(await store.AuthenticateAsync(grant.Token + "x", CancellationToken.None));
        Assert.InRange(grant.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(6));
    }

    [Fact]
    public async Task Revoke_LiveSession_TokenNoLongerAuthenticates()
    {
        var store = Store(TimeSpan.FromMinutes(5), TimeSpan.FromHours(1));
        var grant = await store.CreateAsync("usr_1", "", CancellationToken.None);

        Assert.True(await store.RevokeAsync(grant.Token, CancellationToken.None));

        Assert.Null(await store.AuthenticateAsync(grant.Token, CancellationToken.None));
        Assert.False(await store.RevokeAsync(grant.Token, CancellationToken.None));
    }

    [Fact]
    public async Task Authenticate_UsedWithinIdleTimeout_SlidesExpiry()
    {
        var store = Store(TimeSpan.FromMilliseconds(700), TimeSpan.FromHours(1));
        var grant = await store.CreateAsync("usr_1", "", CancellationToken.None);

        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(350);
            Assert.Equal("usr_1", await store.AuthenticateAsync(grant.Token, CancellationToken.None));
        }

        await Task.Delay(1000);
        Assert.Null(await store.AuthenticateAsync(grant.Token, CancellationToken.None));
    }

    [Fact]
    public async Task Authenticate_PastMaxLifetime_ExpiresDespiteUse()
    {
        var store = Store(TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(900));
        var grant = await store.CreateAsync("usr_1", "", CancellationToken.None);

        await Task.Delay(500);
        Assert.Equal("usr_1", await store.AuthenticateAsync(grant.Token, CancellationToken.None));
        await Task.Delay(600);

        Assert.Null(await store.AuthenticateAsync(grant.Token, CancellationToken.None));
    }

    [Fact]
    public async Task Create_Always_StoresNoTokenInClear()
    {
        var store = Store(TimeSpan.FromMinutes(5), TimeSpan.FromHours(1));
        var grant = await store.CreateAsync("usr_1", "client", CancellationToken.None);

        var server = Redis.GetServer(Redis.GetEndPoints()[0]);
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            Assert.DoesNotContain(grant.Token, key.ToString(), StringComparison.Ordinal);
            foreach (var field in await Redis.GetDatabase().HashGetAllAsync(key))
            {
                Assert.DoesNotContain(grant.Token, field.Value.ToString(), StringComparison.Ordinal);
            }
        }

        Assert.Equal(43, grant.Token.Length);
    }

    private sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
