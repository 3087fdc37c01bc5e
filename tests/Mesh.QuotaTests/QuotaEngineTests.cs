using Mesh.QuotaTests.Infrastructure;
using Mesh.Quotas;
using Mesh.Quotas.Engine;
using Mesh.Testing;
using StackExchange.Redis;
using static Mesh.QuotaTests.Infrastructure.Settings;

namespace Mesh.QuotaTests;

public sealed class QuotaEngineTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly (string, string)[] Alice = [("user", "alice"), ("method", "/m/List")];

    public Task InitializeAsync() => redis.FlushAllAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Decide_FullBucket_AllowsCapacityThenRejectsWithRetry()
    {
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(5, 0.001));

        var verdicts = new List<QuotaVerdict>();
        for (var i = 0; i < 6; i++)
        {
            verdicts.Add(await harness.DecideAsync("t", Alice));
        }

        Assert.Equal([true, true, true, true, true, false], verdicts.Select(v => v.Admitted));
        Assert.Equal(4, Math.Floor(verdicts[0].Decisions[0].Remaining));
        Assert.Equal("default", verdicts[5].Charges[verdicts[5].Deciding].Policy.Name);
        Assert.InRange(verdicts[5].Decisions[0].RetryAfter, TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(1001));
    }

    [Fact]
    public async Task Decide_AfterRetryDelay_AllowsAgain()
    {
        // A token every four seconds: the third call stays refused even if the machine stalls between calls.
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(2, 0.25));
        await harness.DecideAsync("t", Alice);
        await harness.DecideAsync("t", Alice);
        var empty = await harness.DecideAsync("t", Alice);

        await Task.Delay(empty.Decisions[0].RetryAfter + TimeSpan.FromMilliseconds(30));
        var refilled = await harness.DecideAsync("t", Alice);

        Assert.False(empty.Admitted);
        Assert.True(refilled.Admitted);
    }

    [Fact]
    public async Task Decide_TwoMatchingPoliciesOneEmpty_RejectsAndTakesFromNeither()
    {
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(
            100, 0.001,
            [.. Policy("per-user", ("Match:user", "*"), ("By:0", "user"), ("Capacity", 10), ("RefillPerSecond", 0.001)),
             .. Policy("list", ("Match:method", "/m/List"), ("By:0", "user"), ("By:1", "method"), ("Capacity", 2), ("RefillPerSecond", 0.001))]));

        var first = await harness.DecideAsync("t", Alice);
        await harness.DecideAsync("t", Alice);
        var rejected = await harness.DecideAsync("t", Alice);
        var other = await harness.DecideAsync("t", ("user", "alice"), ("method", "/m/Get"));

        Assert.Equal(["list", "per-user"], first.Charges.Select(c => c.Policy.Name));
        Assert.False(rejected.Admitted);
        Assert.Equal("list", rejected.Charges[rejected.Deciding].Policy.Name);
        Assert.True(rejected.Decisions[1].Allowed); // per-user had tokens, yet none were taken:
        Assert.Equal(["per-user"], other.Charges.Select(c => c.Policy.Name));
        Assert.Equal(7, Math.Round(other.Decisions[0].Remaining));
    }

    [Fact]
    public async Task Decide_PolicyWithCost_TakesCostPerCall()
    {
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(
            100, 0.001, Policy("place", ("Match:method", "/m/Place"), ("By:0", "user"), ("Capacity", 10), ("RefillPerSecond", 0.001), ("Cost", 3))));

        var verdicts = new List<QuotaVerdict>();
        for (var i = 0; i < 4; i++)
        {
            verdicts.Add(await harness.DecideAsync("t", ("user", "bob"), ("method", "/m/Place")));
        }

        Assert.Equal([true, true, true, false], verdicts.Select(v => v.Admitted));
        Assert.Equal(1, Math.Round(verdicts[2].Decisions[0].Remaining));
    }

    [Fact]
    public async Task Decide_ShadowPolicyEmpty_AdmitsAndReportsShadowRejection()
    {
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(
            100, 0.001, Policy("trial", ("Match:user", "*"), ("By:0", "user"), ("Capacity", 1), ("RefillPerSecond", 0.001), ("Shadow", true))));
        using var meter = new MeterRecorder(QuotaMetrics.MeterName, harness.Get<System.Diagnostics.Metrics.IMeterFactory>());

        var verdicts = new List<QuotaVerdict>();
        for (var i = 0; i < 3; i++)
        {
            verdicts.Add(await harness.DecideAsync("t", Alice));
        }

        Assert.All(verdicts, v => Assert.True(v.Admitted));
        Assert.Equal([true, false, false], verdicts.Select(v => v.Decisions[0].Allowed));
        Assert.Equal(2, meter.Count("mesh.quotas.decisions", ("policy", "trial"), ("result", QuotaResults.ShadowRejected)));
        Assert.Equal(1, meter.Count("mesh.quotas.decisions", ("policy", "trial"), ("result", QuotaResults.Allowed)));
    }

    [Fact]
    public async Task Decide_BucketDrained_CountsAllowedNearEmptyAndRejectedByPolicy()
    {
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(
            100, 0.001, Policy("tight", ("Match:user", "*"), ("By:0", "user"), ("Capacity", 10), ("RefillPerSecond", 0.001))));
        using var meter = new MeterRecorder(QuotaMetrics.MeterName, harness.Get<System.Diagnostics.Metrics.IMeterFactory>());

        for (var i = 0; i < 12; i++)
        {
            await harness.DecideAsync("t", Alice);
        }

        Assert.Equal(10, meter.Count("mesh.quotas.decisions", ("policy", "tight"), ("result", QuotaResults.Allowed)));
        Assert.Equal(2, meter.Count("mesh.quotas.decisions", ("policy", "tight"), ("result", QuotaResults.Rejected)));
        Assert.Equal(1, meter.Count("mesh.quotas.buckets.near_empty", ("policy", "tight")));
    }

    [Fact]
    public async Task Decide_UnlimitedPolicyMatches_ChargesNothing()
    {
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(
            1, 0.001, Policy("staff", ("Match:user", "ops"), ("Unlimited", true))));

        var verdicts = new List<QuotaVerdict>();
        for (var i = 0; i < 5; i++)
        {
            verdicts.Add(await harness.DecideAsync("t", ("user", "ops"), ("method", "/m/List")));
        }

        Assert.All(verdicts, v => Assert.True(v.Admitted && v.Charges.Count == 0));
    }

    [Fact]
    public async Task Decide_EmptyBucketWithDenyCache_RefusesWithoutRedis()
    {
        // A token every four seconds: the third call is refused and the cached refusal outlives the
        // twenty calls after it even if the machine stalls meanwhile.
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(2, 0.25));
        using var meter = new MeterRecorder(QuotaMetrics.MeterName, harness.Get<System.Diagnostics.Metrics.IMeterFactory>());
        await harness.DecideAsync("t", Alice);
        await harness.DecideAsync("t", Alice);
        var first = await harness.DecideAsync("t", Alice);
        var redisCalls = meter.Count("mesh.quotas.redis.duration");

        var cached = new List<QuotaVerdict>();
        for (var i = 0; i < 20; i++)
        {
            cached.Add(await harness.DecideAsync("t", Alice));
        }

        Assert.False(first.Admitted);
        Assert.Equal(3, redisCalls);
        Assert.All(cached, v => Assert.False(v.Admitted));
        Assert.Equal(redisCalls, meter.Count("mesh.quotas.redis.duration"));
        await Task.Delay(first.Decisions[0].RetryAfter + TimeSpan.FromMilliseconds(20));
        Assert.True((await harness.DecideAsync("t", Alice)).Admitted);
    }

    [Fact]
    public async Task Decide_DenyCacheOff_AsksRedisEveryTime()
    {
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(1, 0.01, ("DenyCache", "false")));
        using var meter = new MeterRecorder(QuotaMetrics.MeterName, harness.Get<System.Diagnostics.Metrics.IMeterFactory>());

        for (var i = 0; i < 5; i++)
        {
            await harness.DecideAsync("t", Alice);
        }

        Assert.Equal(5, meter.Count("mesh.quotas.redis.duration"));
    }

    [Fact]
    public async Task Decide_ManyConcurrentCallers_AdmitsExactlyCapacity()
    {
        // A generous timeout: on a loaded machine a call that fails open would count as admitted.
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(50, 0.0001, ("DenyCache", "false"), ("Leases:Share", "0"), ("Breaker:Timeout", "00:00:10")));

        var verdicts = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => harness.DecideAsync("t", Alice).AsTask()));

        Assert.Equal(50, verdicts.Count(v => v.Outcome == QuotaOutcome.Allowed));
        Assert.Equal(250, verdicts.Count(v => v.Outcome == QuotaOutcome.Rejected));
    }

    [Fact]
    public async Task Decide_ConcurrentCallsOnManyBuckets_BatchedYetExactPerBucket()
    {
        await using var harness = EngineHarness.Create(
            redis.ConnectionString, QuotaSection(5, 0.0001, ("DenyCache", "false"), ("Leases:Share", "0"), ("Breaker:Timeout", "00:00:10")));

        var calls = Enumerable.Range(0, 600).Select(i => harness.DecideAsync("t", ("user", $"u{i % 30}"), ("method", "/m/List")).AsTask());
        var verdicts = await Task.WhenAll(calls);

        var admittedPerUser = verdicts.Where(v => v.Outcome == QuotaOutcome.Allowed).GroupBy(v => v.Charges[0].Key).Select(g => g.Count()).ToList();
        Assert.Equal(30, admittedPerUser.Count);
        Assert.All(admittedPerUser, count => Assert.Equal(5, count));
        Assert.Equal(450, verdicts.Count(v => v.Outcome == QuotaOutcome.Rejected));
    }

    [Fact]
    public async Task Decide_WithLeases_MostCallsSkipRedisAndNoneBeyondCapacity()
    {
        // A lease outlives the test however slow the machine (the default lifetime is a second).
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(100, 0.0001, ("Leases:Share", "0.1"), ("Leases:Lifetime", "00:01:00")));
        using var meter = new MeterRecorder(QuotaMetrics.MeterName, harness.Get<System.Diagnostics.Metrics.IMeterFactory>());

        var verdicts = new List<QuotaVerdict>();
        for (var i = 0; i < 120; i++)
        {
            verdicts.Add(await harness.DecideAsync("t", Alice));
        }

        Assert.Equal(100, verdicts.Count(v => v.Admitted));
        Assert.All(verdicts.Take(100), v => Assert.True(v.Admitted));
        Assert.InRange(meter.Count("mesh.quotas.redis.duration"), 10, 12);
        Assert.Equal(89, Math.Floor(verdicts[10].Decisions[0].Remaining));
    }

    [Fact]
    public async Task Decide_WithLeasesConcurrentCallers_NeverAdmitsBeyondCapacity()
    {
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(200, 0.0001, ("Leases:Share", "0.05"), ("Leases:Lifetime", "00:01:00"), ("Breaker:Timeout", "00:00:10")));

        var burst = await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => harness.DecideAsync("t", Alice).AsTask()));
        var after = new List<QuotaVerdict>();
        for (var i = 0; i < 200; i++)
        {
            after.Add(await harness.DecideAsync("t", Alice));
        }

        // Calls already on their way to Redis when the leases were taken find it empty; the tokens
        // leased meanwhile are spent by the calls that follow (a long lease lifetime, so that a slow
        // machine cannot let them lapse), so the total is exactly the bucket.
        Assert.Equal(200, burst.Concat(after).Count(v => v.Outcome == QuotaOutcome.Allowed));
    }

    [Fact]
    public async Task Decide_ScriptCacheFlushed_ReloadsScriptAndDecides()
    {
        // Next to no refill: the reload in between may take a while without changing what is left.
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(5, 0.001));
        await harness.DecideAsync("t", Alice);
        await harness.Redis.GetDatabase().ExecuteAsync("SCRIPT", "FLUSH");

        var verdict = await harness.DecideAsync("t", Alice);

        Assert.Equal(QuotaOutcome.Allowed, verdict.Outcome);
        Assert.Equal(3, Math.Floor(verdict.Decisions[0].Remaining));
    }

    [Fact]
    public async Task Decide_ChargedBucket_ExpiresWhenFullAgain()
    {
        // Two tokens short at a token every 20 s: full again, and gone, 40 s after the second
        // charge. The range leaves 3 s for the calls in between on a loaded machine.
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(10, 0.05));

        var verdict = await harness.DecideAsync("t", Alice);
        await harness.DecideAsync("t", Alice);
        var ttl = await harness.Redis.GetDatabase().KeyTimeToLiveAsync(verdict.Charges[0].Key);

        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(37), TimeSpan.FromSeconds(40));
    }

    [Fact]
    public async Task Resolve_PoliciesKeyedByUser_ShareOneHashTag()
    {
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(
            100, 1,
            [.. Policy("per-user", ("Match:user", "*"), ("By:0", "user"), ("Capacity", 10), ("RefillPerSecond", 1)),
             .. Policy("list", ("Match:method", "/m/List"), ("By:0", "user"), ("By:1", "method"), ("Capacity", 2), ("RefillPerSecond", 1))]));

        var verdict = await harness.DecideAsync("t", Alice);

        Assert.Equal(2, verdict.Charges.Count);
        Assert.All(verdict.Charges, c => Assert.StartsWith("quotas:t:{alice}:", c.Key, StringComparison.Ordinal));
        Assert.Single(verdict.Charges.Select(c => harness.Redis.HashSlot(c.Key)).Distinct());
    }
}
