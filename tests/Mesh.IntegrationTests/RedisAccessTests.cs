using Mesh.Identity;
using Mesh.Locks;
using Mesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.IntegrationTests;

/// <summary>The Redis ACL users of <see cref="RedisAccess"/> on a real redis-server: each service reaches its own keys only.</summary>
public sealed class RedisAccessTests : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = RedisServerFixture.WithAccessControl();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task Orders_ReadsOrWritesAnotherServicesKeys_NoPermission()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        await admin.GetDatabase().StringSetAsync("users:id:usr_1", "ann@example.test");
        await using var orders = await ConnectAsync(Workloads.Orders);
        var db = orders.GetDatabase();

        await Assert.ThrowsAsync<RedisServerException>(() => db.StringGetAsync("users:id:usr_1"));
        await Assert.ThrowsAsync<RedisServerException>(() => db.StringSetAsync("sessions:{x}", "forged"));
        await Assert.ThrowsAsync<RedisServerException>(() => db.ScriptEvaluateAsync("return redis.call('GET', KEYS[1])", ["users:id:usr_1"]));
        await db.StringSetAsync("orders:{usr_1}:probe", "mine");
        Assert.Equal("mine", (string?)await db.StringGetAsync("orders:{usr_1}:probe"));
    }

    [Fact]
    public async Task Service_CommandsOverTheWholeKeySpace_NoPermission()
    {
        await using var users = await ConnectAsync(Workloads.Users);
        var db = users.GetDatabase();

        await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("KEYS", "*"));
        await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("FLUSHALL"));
        await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("CONFIG", "GET", "*"));
    }

    [Fact]
    public async Task DefaultUser_WithoutCredentials_Refused()
    {
        var anonymous = ConfigurationOptions.Parse($"127.0.0.1:{_redis.Port}");
        anonymous.AbortOnConnectFail = false;
        anonymous.ConnectTimeout = 1000;
        anonymous.SyncTimeout = 1000;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(anonymous);

        await Assert.ThrowsAnyAsync<RedisException>(() => connection.GetDatabase().StringGetAsync("users:id:usr_1"));
    }

    [Fact]
    public async Task Notifications_PublishesOnlyOnItsChannels()
    {
        await using var notifications = await ConnectAsync(Workloads.Notifications);

        await notifications.GetSubscriber().PublishAsync(RedisChannel.Literal("notifications:{usr_1}:live"), "ok");
        await Assert.ThrowsAsync<RedisServerException>(() =>
            notifications.GetSubscriber().PublishAsync(RedisChannel.Literal("orders:{usr_1}:live"), "forged"));
    }

    [Fact]
    public async Task Users_WaitsForItsLock_WokenThroughItsLockChannelOnly()
    {
        await using var users = await ConnectAsync(Workloads.Users);
        // Re-checks once a minute: a grant within seconds can only come from the release's wake-up.
        // The default half-second answer timeout would read a slow first script on a loaded machine
        // as "unavailable", and b would then take a lock nobody holds.
        var locks = new RedisLockBackend(
            users,
            Options.Create(new LockOptions { QueueRecheckInterval = TimeSpan.FromMinutes(1), MasterTimeout = TimeSpan.FromSeconds(5) }),
            TimeProvider.System, NullLogger<RedisLockBackend>.Instance);
        var held = await locks.TryLockAsync("users/credit/usr_1", "a", TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.True(held.Acquired);
        var waiting = locks.LockInTurnAsync("users/credit/usr_1", "b", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), CancellationToken.None);
        await Poll.UntilAsync(
            async () => waiting.IsCompleted || await users.GetDatabase().ListLengthAsync(LockKeys.Queue("users/credit/usr_1")) == 1,
            TimeSpan.FromSeconds(10), "b queued");
        if (waiting.IsCompleted)
        {
            // Awaiting rethrows what ended it, if it failed.
            Assert.Fail($"b ended as {(await waiting).Outcome} while a held the lock");
        }

        await locks.ReleaseAsync("users/credit/usr_1", "a", held.GrantId, CancellationToken.None);

        Assert.True((await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Acquired);
        await Assert.ThrowsAsync<RedisServerException>(() =>
            users.GetSubscriber().SubscribeAsync(RedisChannel.Literal(LockKeys.Wake("sidecar/app/x")), (_, _) => { }));
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(string user)
    {
        var options = Mesh.ServiceDefaults.Redis.RedisExtensions.ConnectionOptions(new Mesh.ServiceDefaults.Redis.RedisOptions
        {
            Configuration = $"127.0.0.1:{_redis.Port}",
            User = user,
            PasswordFile = _redis.EnvironmentFor(user)["Redis__PasswordFile"],
        });
        return await ConnectionMultiplexer.ConnectAsync(options);
    }
}
