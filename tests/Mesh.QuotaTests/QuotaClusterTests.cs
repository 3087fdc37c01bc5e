using Mesh.QuotaTests.Infrastructure;
using Mesh.Quotas;
using StackExchange.Redis;
using static Mesh.QuotaTests.Infrastructure.Settings;

namespace Mesh.QuotaTests;

/// <summary>The engine's core behaviour, unchanged, on a three-master Redis Cluster.</summary>
public sealed class QuotaClusterTests(RedisClusterFixture cluster) : IClassFixture<RedisClusterFixture>
{
    [Fact]
    public async Task Decide_OnCluster_AllowsCapacityThenRejects()
    {
        await using var harness = EngineHarness.Create(cluster.ConnectionString, QuotaSection(3, 0.001));
        var user = $"u-{Guid.NewGuid():N}";

        var verdicts = new List<QuotaVerdict>();
        for (var i = 0; i < 4; i++)
        {
            verdicts.Add(await harness.DecideAsync("c", ("user", user), ("method", "/m/List")));
        }

        Assert.Equal([QuotaOutcome.Allowed, QuotaOutcome.Allowed, QuotaOutcome.Allowed, QuotaOutcome.Rejected], verdicts.Select(v => v.Outcome));
    }

    [Fact]
    public async Task Decide_OnClusterTwoPoliciesOneSlot_AllOrNothingInOneScript()
    {
        await using var harness = EngineHarness.Create(cluster.ConnectionString, QuotaSection(
            100, 0.001,
            [.. Policy("per-user", ("Match:user", "*"), ("By:0", "user"), ("Capacity", 10), ("RefillPerSecond", 0.001)),
             .. Policy("list", ("Match:method", "/m/List"), ("By:0", "user"), ("By:1", "method"), ("Capacity", 1), ("RefillPerSecond", 0.001))]));
        var user = $"u-{Guid.NewGuid():N}";

        await harness.DecideAsync("c", ("user", user), ("method", "/m/List"));
        var rejected = await harness.DecideAsync("c", ("user", user), ("method", "/m/List"));
        var other = await harness.DecideAsync("c", ("user", user), ("method", "/m/Get"));

        Assert.Single(rejected.Charges.Select(c => harness.Redis.HashSlot(c.Key)).Distinct());
        Assert.Equal(QuotaOutcome.Rejected, rejected.Outcome);
        Assert.Equal(8, Math.Round(other.Decisions[0].Remaining));
    }

    [Fact]
    public async Task Decide_OnClusterPoliciesInTwoSlotsLaterOneEmpty_GivesEarlierTokensBack()
    {
        await using var harness = EngineHarness.Create(cluster.ConnectionString, QuotaSection(
            100, 0.001,
            [.. Policy("per-user", ("Match:user", "*"), ("By:0", "user"), ("Capacity", 10), ("RefillPerSecond", 0.001)),
             .. Policy("per-tenant", ("Match:tenant", "*"), ("By:0", "tenant"), ("Capacity", 1), ("RefillPerSecond", 0.001))]));
        var tenant = $"t-{Guid.NewGuid():N}";
        var user = FindUserInAnotherSlot(harness.Redis, tenant);

        var first = await harness.DecideAsync("c", ("user", user), ("tenant", tenant));
        var rejected = await harness.DecideAsync("c", ("user", user), ("tenant", tenant));
        var userOnly = await harness.DecideAsync("c", ("user", user));

        Assert.Equal(2, first.Charges.Select(c => harness.Redis.HashSlot(c.Key)).Distinct().Count());
        Assert.Equal(QuotaOutcome.Allowed, first.Outcome);
        Assert.Equal(QuotaOutcome.Rejected, rejected.Outcome);
        Assert.Equal(8, Math.Round(userOnly.Decisions[0].Remaining));
    }

    [Fact]
    public async Task Decide_OnClusterScriptCacheFlushed_ReloadsOnEveryMaster()
    {
        await using var harness = EngineHarness.Create(cluster.ConnectionString, QuotaSection(5, 1));
        var user = $"u-{Guid.NewGuid():N}";
        await harness.DecideAsync("c", ("user", user), ("method", "/m/List"));
        foreach (var server in harness.Redis.GetServers())
        {
            await server.ExecuteAsync("SCRIPT", "FLUSH");
        }

        var verdict = await harness.DecideAsync("c", ("user", user), ("method", "/m/List"));

        Assert.Equal(QuotaOutcome.Allowed, verdict.Outcome);
    }

    /// <summary>A user id whose bucket's hash tag lands in a different slot from the tenant's.</summary>
    private static string FindUserInAnotherSlot(IConnectionMultiplexer redis, string tenant)
    {
        var tenantSlot = redis.HashSlot($"quotas:{{{tenant}}}:x");
        for (var i = 0; ; i++)
        {
            var user = $"u{i}-{Guid.NewGuid():N}";
            if (redis.HashSlot($"quotas:{{{user}}}:x") != tenantSlot)
            {
                return user;
            }
        }
    }
}
