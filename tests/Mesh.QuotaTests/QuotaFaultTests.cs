using System.Diagnostics;
using Mesh.QuotaTests.Infrastructure;
using Mesh.Quotas;
using Mesh.Quotas.Engine;
using Mesh.Testing;
using static Mesh.QuotaTests.Infrastructure.Settings;

namespace Mesh.QuotaTests;

/// <summary>Redis killed in the middle of a run, then started again on the same port.</summary>
public sealed class QuotaFaultTests
{
    private static readonly (string, string)[] Open = [("user", "u"), ("kind", "open")];
    private static readonly (string, string)[] Closed = [("user", "u"), ("kind", "closed")];

    // Leases off: tokens already leased are rightly spent while Redis is down, which would hide the failure modes.
    [Fact]
    public async Task Decide_RedisKilledThenBack_FailureModesApplyBreakerOpensServiceResumes()
    {
        await using var redis = await RedisServerFixture.StartAsync();
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(
            1000, 100,
            [.. Policy("open", ("Match:kind", "open"), ("By:0", "user"), ("Capacity", 1000), ("RefillPerSecond", 100), ("FailureMode", "FailOpen")),
             .. Policy("closed", ("Match:kind", "closed"), ("By:0", "user"), ("Capacity", 1000), ("RefillPerSecond", 100), ("FailureMode", "FailClosed")),
             ("Breaker:Timeout", "00:00:00.200"), ("Breaker:BreakDuration", "00:00:01"), ("Breaker:MinimumThroughput", "4"),
             ("Breaker:SamplingDuration", "00:00:02"), ("Leases:Share", "0")]));
        using var meter = new MeterRecorder(QuotaMetrics.MeterName, harness.Get<System.Diagnostics.Metrics.IMeterFactory>());
        // With Redis up both policies admit. The first call loads the script and compiles the
        // engine's code, which can outlast the 200 ms timeout on a loaded machine; later ones may not.
        foreach (var (policy, kind) in new[] { ("open", Open), ("closed", Closed) })
        {
            await Poll.UntilAsync(
                async () => (await harness.DecideAsync("fault", kind)).Outcome == QuotaOutcome.Allowed,
                TimeSpan.FromSeconds(20),
                $"the {policy} policy never allowed a decision while Redis was up");
        }

        redis.Kill();
        var down = new List<(QuotaOutcome Open, QuotaOutcome Closed)>();
        var pairs = new List<TimeSpan>();
        var clock = Stopwatch.StartNew();
        // At least 2 s and 150 pairs (a stall on a loaded machine does not cut the count short),
        // at most 30 s: without the breaker each pair waits out two timeouts.
        while ((clock.Elapsed < TimeSpan.FromSeconds(2) || down.Count < 150) && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var call = Stopwatch.StartNew();
            var open = await harness.DecideAsync("fault", Open);
            var closed = await harness.DecideAsync("fault", Closed);
            down.Add((open.Outcome, closed.Outcome));
            if (down.Count > 10)
            {
                pairs.Add(call.Elapsed);
            }
        }

        await redis.RestartAsync();
        await Poll.UntilAsync(
            async () => (await harness.DecideAsync("fault", Closed)).Outcome == QuotaOutcome.Allowed,
            TimeSpan.FromSeconds(20),
            "decisions never came back from Redis after it restarted");

        Assert.All(down, d => Assert.Equal((QuotaOutcome.FailedOpen, QuotaOutcome.FailedClosed), d));
        Assert.True(down.Count >= 150, $"only {down.Count} decisions in {clock.Elapsed.TotalSeconds:0.0} s: the breaker did not spare callers the timeout");
        // Two decisions per pair, each bounded by the 200 ms timeout (a half-open probe may wait that
        // long): the median pair, which a stall does not move, is far below one timeout.
        var median = pairs.Order().ElementAt(pairs.Count / 2);
        Assert.True(median < TimeSpan.FromMilliseconds(100), $"the median pair of decisions with the breaker open took {median.TotalMilliseconds} ms");
        Assert.True(meter.Count("mesh.quotas.breaker.transitions", ("state", "open")) >= 1);
        Assert.True(meter.Count("mesh.quotas.decisions", ("policy", "open"), ("result", QuotaResults.FailedOpen)) >= 100);
        Assert.True(meter.Count("mesh.quotas.decisions", ("policy", "closed"), ("result", QuotaResults.FailedClosed)) >= 100);
        Assert.Contains(harness.Logs.Lines, l => l.Contains("circuit breaker opened", StringComparison.Ordinal));
    }
}
