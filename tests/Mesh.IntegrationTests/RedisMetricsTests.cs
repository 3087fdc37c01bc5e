using System.Diagnostics.Metrics;
using Mesh.Identity;
using Mesh.ServiceDefaults.Redis;
using Mesh.ServiceDefaults.Redis.Metrics;
using Mesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Mesh.IntegrationTests;

/// <summary>The Mesh.Redis instruments against a real redis-server, as the order service would report them.</summary>
public sealed class RedisMetricsTests(RedisServerFixture redis) : RedisTestBase(redis)
{
    private const string Settlements = "orders:{*}:settlement:*";

    [Fact]
    public async Task PollAsync_KeysWrittenThenExpired_FamilyCountFollowsAndExpirationsAreCounted()
    {
        await using var services = Build();
        using var meters = Recorder(services);
        var collector = services.GetRequiredService<RedisMetricsCollector>();
        await collector.PollAsync(CancellationToken.None);
        var expiredBefore = Latest(meters, "mesh.redis.keys.expired");
        Assert.Equal(0, Latest(meters, "mesh.redis.keys", Settlements));

        var db = Redis.GetDatabase();
        for (var i = 0; i < 3; i++)
        {
            // Long enough to be counted alive by the poll below even on a loaded machine.
            await db.StringSetAsync($"orders:{{usr_{i}}}:settlement:ord_{i}", "outcome", TimeSpan.FromSeconds(3));
        }

        await db.StringSetAsync("orders:{settlement}:due", "queue");
        await db.StringSetAsync("users:{usr_1}:credit", "another owner's");
        await collector.PollAsync(CancellationToken.None);

        Assert.Equal(3, Latest(meters, "mesh.redis.keys", Settlements));
        Assert.Equal(1, Latest(meters, "mesh.redis.keys", "orders:{settlement}:due"));
        Assert.Equal(0, Latest(meters, "mesh.redis.keys", "orders:*"));
        Assert.DoesNotContain(meters.Of("mesh.redis.keys"), m => ((string)m.Tags["redis.key.family"]!).StartsWith("users:", StringComparison.Ordinal));
        Assert.Equal((5.0, 3.0), (Latest(meters, "mesh.redis.keyspace.keys"), Latest(meters, "mesh.redis.keyspace.expiring")));

        // A poll's key scan can be what expires the keys (Redis expires a key lazily when it is
        // read), after the same poll read the expiration count: the next poll sees them counted.
        await Poll.UntilAsync(
            async () =>
            {
                await collector.PollAsync(CancellationToken.None);
                return Latest(meters, "mesh.redis.keys", Settlements) <= 0 && Latest(meters, "mesh.redis.keys.expired") >= expiredBefore + 3;
            },
            TimeSpan.FromSeconds(10),
            "the expired settlements are still counted, or their expirations not yet");

        Assert.Equal(0, Latest(meters, "mesh.redis.keys", Settlements));
        Assert.True(Latest(meters, "mesh.redis.keys.expired") >= expiredBefore + 3);
        Assert.Equal(0, Latest(meters, "mesh.redis.keyspace.expiring"));
    }

    [Fact]
    public async Task PollAsync_DataWritten_UsedMemoryGrowsUnderTheLimitAndItsPolicy()
    {
        await using var services = Build();
        using var meters = Recorder(services);
        var collector = services.GetRequiredService<RedisMetricsCollector>();
        await collector.PollAsync(CancellationToken.None);
        var before = Latest(meters, "mesh.redis.memory.used");

        var db = Redis.GetDatabase();
        var value = new byte[10_000];
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => db.StringSetAsync($"orders:{{usr_1}}:settlement:ord_{i}", value)));
        await collector.PollAsync(CancellationToken.None);

        Assert.True(Latest(meters, "mesh.redis.memory.used") >= before + 2_000_000);
        var max = meters.Of("mesh.redis.memory.max").Last();
        Assert.Equal((double)(1L << 30), max.Value);
        Assert.True(max.Has("redis.maxmemory_policy", "noeviction"));
        Assert.True(max.Has("server.port", Server.Port));
        Assert.True(Latest(meters, "mesh.redis.memory.fragmentation_ratio") > 0);
        Assert.True(Latest(meters, "mesh.redis.clients.connected") >= 1);
        Assert.Equal(0, Latest(meters, "mesh.redis.keys.evicted"));
        Assert.Equal(0, Latest(meters, "mesh.redis.commands.out_of_memory"));
    }

    [Fact]
    public async Task PollAsync_Lookups_CountHitsAndMisses()
    {
        await using var services = Build();
        using var meters = Recorder(services);
        var collector = services.GetRequiredService<RedisMetricsCollector>();
        var db = Redis.GetDatabase();
        await db.StringSetAsync("orders:{usr_1}:items", "x");
        await collector.PollAsync(CancellationToken.None);
        var (hits, misses) = (Latest(meters, "mesh.redis.keyspace.hits"), Latest(meters, "mesh.redis.keyspace.misses"));

        for (var i = 0; i < 3; i++)
        {
            await db.StringGetAsync("orders:{usr_1}:items");
        }

        await db.StringGetAsync("orders:{usr_1}:absent");
        await db.StringGetAsync("orders:{usr_2}:absent");
        await collector.PollAsync(CancellationToken.None);

        Assert.True(Latest(meters, "mesh.redis.keyspace.hits") >= hits + 3);
        Assert.True(Latest(meters, "mesh.redis.keyspace.misses") >= misses + 2);
    }

    [Fact]
    public async Task PollAsync_KeySpaceLargerThanTheBudget_CountsOnlyOnceAPassIsComplete()
    {
        await using var services = Build(keyScanBudget: 1000);
        using var meters = Recorder(services);
        var collector = services.GetRequiredService<RedisMetricsCollector>();
        var db = Redis.GetDatabase();
        await Task.WhenAll(Enumerable.Range(0, 3000).Select(i => db.StringSetAsync($"orders:{{usr_{i % 50}}}:settlement:ord_{i}", "x")));

        var polls = 0;
        while (meters.Of("mesh.redis.keys").Count == 0 && polls < 50)
        {
            await collector.PollAsync(CancellationToken.None);
            polls++;
        }

        Assert.InRange(polls, 3, 49);
        Assert.InRange(Latest(meters, "mesh.redis.keys", Settlements), 3000, 3100);
    }

    [Fact]
    public async Task Poller_EveryInterval_PollsAgain()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var services = Build(clock: clock);
        using var meters = Recorder(services);
        var poller = services.GetServices<IHostedService>().OfType<RedisMetricsPoller>().Single();
        await poller.StartAsync(CancellationToken.None);
        try
        {
            await meters.WaitForAsync("mesh.redis.keys", m => m.Has("redis.key.family", Settlements) && m.Value == 0, TimeSpan.FromSeconds(10));
            await Redis.GetDatabase().StringSetAsync("orders:{usr_1}:settlement:ord_1", "x");

            clock.Advance(TimeSpan.FromSeconds(15));

            await meters.WaitForAsync("mesh.redis.keys", m => m.Has("redis.key.family", Settlements) && m.Value == 1, TimeSpan.FromSeconds(10));
        }
        finally
        {
            await poller.StopAsync(CancellationToken.None);
        }
    }

    private ServiceProvider Build(int keyScanBudget = 10_000, TimeProvider? clock = null)
    {
        var services = new ServiceCollection().AddLogging();
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        services.AddOptions<RedisOptions>().Configure(o =>
        {
            o.Configuration = Server.ConnectionString;
            o.KeyScanBudget = keyScanBudget;
        });
        services.AddRedisMetrics();
        services.AddRedisKeyFamilies(Workloads.Orders);
        return services.BuildServiceProvider();
    }

    private static MeterRecorder Recorder(ServiceProvider services) =>
        new(RedisMetrics.MeterName, services.GetRequiredService<IMeterFactory>());

    private static double Latest(MeterRecorder meters, string instrument, string? family = null) =>
        meters.Of(instrument).Last(m => family is null || m.Has("redis.key.family", family)).Value;
}
