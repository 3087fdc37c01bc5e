using System.Diagnostics;
using Envoy.Service.Ratelimit.V3;
using Mesh.Contracts.Sidecar.V1;
using Mesh.QuotaTests.Infrastructure;
using Mesh.Testing;
using EnvoyDescriptor = Envoy.Extensions.Common.Ratelimit.V3.RateLimitDescriptor;
using static Envoy.Service.Ratelimit.V3.RateLimitResponse.Types;

namespace Mesh.QuotaTests;

/// <summary>The sidecar process while its Redis is killed and started again on the same port.</summary>
public sealed class SidecarFaultTests
{
    [Fact]
    public async Task ShouldRateLimit_RedisKilledThenBack_FailureModesApplyAndServiceResumes()
    {
        await using var redis = await RedisServerFixture.StartAsync();
        await using var sidecar = await ServiceProcess.StartServingAsync(BuildOutputs.Sidecar, new Dictionary<string, string>(SidecarApps.Environment)
        {
            ["Redis__Configuration"] = $"{redis.ConnectionString},connectTimeout=500,connectRetry=1",
            ["Quotas__Leases__Share"] = "0",
            ["Quotas__Breaker__Timeout"] = "00:00:00.300",
            ["Quotas__Breaker__BreakDuration"] = "00:00:01",
            ["Quotas__Breaker__MinimumThroughput"] = "3",
            ["Quotas__Policies__open__Match__tier"] = "free",
            ["Quotas__Policies__open__Capacity"] = "1000",
            ["Quotas__Policies__open__RefillPerSecond"] = "100",
            ["Quotas__Policies__closed__Match__tier"] = "paid",
            ["Quotas__Policies__closed__Capacity"] = "1000",
            ["Quotas__Policies__closed__RefillPerSecond"] = "100",
            ["Quotas__Policies__closed__FailureMode"] = "FailClosed",
        });
        var envoy = new RateLimitService.RateLimitServiceClient(sidecar.Channel.As());
        var native = new RateLimits.RateLimitsClient(sidecar.Channel.As());
        // With Redis up both tiers are admitted. A fresh process's first decisions load the script
        // and compile the engine's code, which can outlast the 300 ms timeout on a loaded machine.
        foreach (var tier in new[] { "free", "paid" })
        {
            await Poll.UntilAsync(
                async () => await CodeAsync(envoy, tier) == Code.Ok,
                TimeSpan.FromSeconds(20),
                () => $"the {tier} tier was never admitted while Redis was up:\n" + sidecar.Process.Output);
        }

        redis.Kill();
        var down = new List<(Code Free, Code Paid)>();
        var pairTimes = new List<TimeSpan>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(2) || down.Count < 10)
        {
            var pair = Stopwatch.StartNew();
            down.Add((await CodeAsync(envoy, "free"), await CodeAsync(envoy, "paid")));
            pairTimes.Add(pair.Elapsed);
        }

        var check = new CheckRequest { Domain = "apps" };
        check.Descriptors.Add(new CheckRequest.Types.RequestDescriptor { Entries = { new CheckRequest.Types.Entry { Key = "tier", Value = "paid" } } });
        var nativeDown = await native.CheckAsync(check, deadline: DateTime.UtcNow.AddSeconds(10));

        await redis.RestartAsync();
        await Poll.UntilAsync(
            async () => await CodeAsync(envoy, "paid") == Code.Ok,
            TimeSpan.FromSeconds(30),
            () => "the sidecar never decided through Redis again:\n" + sidecar.Process.Output);

        Assert.All(down, d => Assert.Equal((Code.Ok, Code.OverLimit), d));
        // Answered without waiting on the dead Redis: the typical pair well under one 300 ms breaker
        // timeout (a count per second would measure the machine's load instead).
        var median = pairTimes.Order().ElementAt(pairTimes.Count / 2);
        Assert.True(median < TimeSpan.FromMilliseconds(300), $"a pair of decisions took {median.TotalMilliseconds:0} ms (median of {down.Count}) while Redis was down");
        Assert.Equal(CheckResponse.Types.Outcome.FailedClosed, nativeDown.Outcome);
        Assert.False(sidecar.Process.HasExited);
        Assert.Contains("circuit breaker opened", sidecar.Process.Output, StringComparison.Ordinal);
    }

    private static async Task<Code> CodeAsync(RateLimitService.RateLimitServiceClient client, string tier)
    {
        var request = new RateLimitRequest { Domain = "apps" };
        request.Descriptors.Add(new EnvoyDescriptor { Entries = { new EnvoyDescriptor.Types.Entry { Key = "tier", Value = tier } } });
        return (await client.ShouldRateLimitAsync(request, deadline: DateTime.UtcNow.AddSeconds(10))).OverallCode;
    }
}
