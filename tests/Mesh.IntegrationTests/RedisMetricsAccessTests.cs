using System.Diagnostics.Metrics;
using Mesh.Identity;
using Mesh.ServiceDefaults.Redis;
using Mesh.ServiceDefaults.Redis.Metrics;
using Mesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Mesh.IntegrationTests;

/// <summary>The metrics as a service's own ACL user may read them: INFO and SCAN, nothing more.</summary>
public sealed class RedisMetricsAccessTests : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = RedisServerFixture.WithAccessControl();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task PollAsync_AsTheServicesAclUser_ReportsMemoryAndCountsOnlyItsOwnKeys()
    {
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString))
        {
            await admin.GetDatabase().StringSetAsync("notifications:{usr_1}:streams", "mine");
            await admin.GetDatabase().StringSetAsync("orders:{usr_1}:items", "another owner's");
        }

        var services = new ServiceCollection().AddLogging();
        services.AddOptions<RedisOptions>().Configure(o => o.Configuration = _redis.ConnectionStringFor(Workloads.Notifications));
        services.AddRedisMetrics();
        services.AddRedisKeyFamilies(Workloads.Notifications);
        await using var provider = services.BuildServiceProvider();
        using var meters = new MeterRecorder(RedisMetrics.MeterName, provider.GetRequiredService<IMeterFactory>());

        await provider.GetRequiredService<RedisMetricsCollector>().PollAsync(CancellationToken.None);

        Assert.True(meters.Of("mesh.redis.memory.used").Last().Value > 0);
        Assert.Equal(2, meters.Of("mesh.redis.keyspace.keys").Last().Value);
        // One observation of every family: the latest.
        var keys = meters.Of("mesh.redis.keys").GroupBy(m => m.Tags["redis.key.family"]).ToDictionary(g => (string)g.Key!, g => g.Last().Value);
        Assert.Equal(1, keys["notifications:{*}:streams"]);
        Assert.Equal(1, keys.Values.Sum());
    }
}
