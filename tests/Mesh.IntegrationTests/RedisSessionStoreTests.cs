using System.Diagnostics;
using Mesh.Gateway.Sessions;
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

        Assert.Equal("usr_1", (await store.AuthenticateAsync(grant.Token, CancellationToken.None))?.UserId);
        Assert.Null(await store.AuthenticateAsync(grant.Token + "x", CancellationToken.None));
        Assert.InRange(grant.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(6));
    }

    [Fact]
    public async Task Revoke_LiveSession_TokenNoLongerAuthenticates()
    {
        var store = Store(TimeSpan.FromMinutes(5), TimeSpan.FromHours(1));
        var grant = await store.CreateAsync("usr_1", "", CancellationToken.None);

        var session = await store.AuthenticateAsync(grant.Token, CancellationToken.None);

        Assert.False(await store.RevokeAsync("usr_other", session!.SessionId, CancellationToken.None));
        Assert.True(await store.RevokeAsync("usr_1", session.SessionId, CancellationToken.None));

        Assert.Null(await store.AuthenticateAsync(grant.Token, CancellationToken.None));
        Assert.False(await store.RevokeAsync("usr_1", session.SessionId, CancellationToken.None));
        Assert.Empty(await store.ListAsync("usr_1", CancellationToken.None));
    }

    [Fact]
    public async Task RevokeAllExcept_ThreeSessions_KeepsOnlyTheOneNamed()
    {
        var store = Store(TimeSpan.FromMinutes(5), TimeSpan.FromHours(1));
        var grants = new List<SessionGrant>();
        for (var i = 0; i < 3; i++)
        {
            grants.Add(await store.CreateAsync("usr_1", $"client {i}", CancellationToken.None));
        }

        var keep = (await store.AuthenticateAsync(grants[1].Token, CancellationToken.None))!.SessionId;
        var revoked = await store.RevokeAllExceptAsync("usr_1", keep, CancellationToken.None);

        Assert.Equal(2, revoked);
        Assert.Equal([keep], (await store.ListAsync("usr_1", CancellationToken.None)).Select(s => s.SessionId));
        Assert.Null(await store.AuthenticateAsync(grants[0].Token, CancellationToken.None));
        Assert.NotNull(await store.AuthenticateAsync(grants[1].Token, CancellationToken.None));
    }

    [Fact]
    public async Task Authenticate_UsedWithinIdleTimeout_SlidesExpiry()
    {
        // Each use comes a third of the idle timeout after the last, so a loaded machine has two
        // seconds of slack before a slow step could let the session lapse between uses.
        var store = Store(TimeSpan.FromSeconds(3), TimeSpan.FromHours(1));
        var grant = await store.CreateAsync("usr_1", "", CancellationToken.None);

        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(1000);
            Assert.Equal("usr_1", (await store.AuthenticateAsync(grant.Token, CancellationToken.None))?.UserId);
        }

        await Task.Delay(3500);
        Assert.Null(await store.AuthenticateAsync(grant.Token, CancellationToken.None));
    }

    [Fact]
    public async Task Authenticate_PastMaxLifetime_ExpiresDespiteUse()
    {
        // Idle 4 s, at most 6 s: used every second until a second before the 6 s (timed from
        // before the session was made, so never later than its age), it never idles out; the last
        // check comes half a second past 6 s, within the idle timeout of the last use. A stall
        // between uses has three seconds of slack; one that makes a use late just ends the uses.
        var idle = TimeSpan.FromSeconds(4);
        var max = TimeSpan.FromSeconds(6);
        var store = Store(idle, max);
        var clock = Stopwatch.StartNew();
        var grant = await store.CreateAsync("usr_1", "", CancellationToken.None);

        var uses = 0;
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            if (clock.Elapsed > max - TimeSpan.FromSeconds(1))
            {
                break;
            }

            Assert.Equal("usr_1", (await store.AuthenticateAsync(grant.Token, CancellationToken.None))?.UserId);
            uses++;
        }

        var pastMax = max + TimeSpan.FromSeconds(0.5) - clock.Elapsed;
        if (pastMax > TimeSpan.Zero)
        {
            await Task.Delay(pastMax);
        }

        Assert.Null(await store.AuthenticateAsync(grant.Token, CancellationToken.None));
        Assert.True(uses >= 1, "no use before the maximum lifetime");
    }

    [Fact]
    public async Task Create_Always_StoresNoTokenInClear()
    {
        var store = Store(TimeSpan.FromMinutes(5), TimeSpan.FromHours(1));
        var grant = await store.CreateAsync("usr_1", "client", CancellationToken.None);

        var stored = await EverythingStoredAsync();

        Assert.NotEmpty(stored);
        Assert.All(stored, text => Assert.DoesNotContain(grant.Token, text, StringComparison.Ordinal));
        Assert.Equal(43, grant.Token.Length);
    }

    private sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
