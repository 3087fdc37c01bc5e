using System.Globalization;
using Mesh.Quotas.Engine;
using Mesh.Testing;
using StackExchange.Redis;

namespace Mesh.QuotaTests;

/// <summary>
/// The quota script run directly with batches the batcher would send: decisions of one batch that
/// charge the same bucket must decide exactly as if each had run alone, one after the other,
/// while the bucket is read and written once per run.
/// </summary>
public sealed class QuotaScriptTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    // A token every 1,024 s (a power of two, so that retry and expiry times come out exact):
    // nothing refills noticeably while a test runs.
    private const double Rate = 1.0 / 1024;

    private ConnectionMultiplexer _connection = null!;

    private IDatabase Database => _connection.GetDatabase();

    public async Task InitializeAsync()
    {
        await redis.FlushAllAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
    }

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task Run_OneBucketInEveryDecision_DecidesOneAfterAnotherAndTouchesRedisOnce()
    {
        var before = await CommandCallsAsync();

        var results = await RunAsync(Enumerable.Range(0, 7).Select(_ => Decision(("a", 5, 1, 0))).ToArray());

        Assert.Equal([1, 1, 1, 1, 1, 0, 0], results.Select(r => r.Admitted));
        Assert.Equal(["4", "3", "2", "1", "0", "0", "0"], results.Select(r => r.Buckets[0].Tokens));
        Assert.All(results.Take(5), r => Assert.Equal(0, r.Buckets[0].RetryMicroseconds));
        Assert.All(results.Skip(5), r => Assert.Equal(1_024_000_000, r.Buckets[0].RetryMicroseconds));
        Assert.Equal("0", (string?)await Database.HashGetAsync("a", "tokens"));
        var ttl = await Database.KeyTimeToLiveAsync("a");
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(5 * 1024 - 60), TimeSpan.FromSeconds(5 * 1024));
        var after = await CommandCallsAsync();
        Assert.Equal(1, after.GetValueOrDefault("hmget") - before.GetValueOrDefault("hmget"));
        Assert.Equal(1, after.GetValueOrDefault("hset") - before.GetValueOrDefault("hset"));
        Assert.Equal(1, after.GetValueOrDefault("pexpire") - before.GetValueOrDefault("pexpire"));
    }

    [Fact]
    public async Task Run_DecisionRejectedByAnEmptyBucket_TakesNothingFromItsOtherBucketForLaterDecisions()
    {
        var results = await RunAsync(
            Decision(("empty", 1, 1, 0)),
            Decision(("empty", 1, 1, 0), ("b", 5, 1, 0)),
            Decision(("b", 5, 1, 0)));

        Assert.Equal([1, 0, 1], results.Select(r => r.Admitted));
        Assert.Equal(0, results[1].Buckets[1].Taken);
        Assert.Equal("5", results[1].Buckets[1].Tokens);
        Assert.Equal("4", results[2].Buckets[0].Tokens);
        Assert.Equal("4", (string?)await Database.HashGetAsync("b", "tokens"));
        Assert.Equal("0", (string?)await Database.HashGetAsync("empty", "tokens"));
    }

    [Fact]
    public async Task Run_LeaseTakenEarlierInTheBatch_LaterDecisionsSeeTheBucketWithoutIt()
    {
        var results = await RunAsync(Decision(("c", 10, 1, 3)), Decision(("c", 10, 1, 0)), Decision(("c", 10, -2, 0)));

        Assert.Equal((1, "6", 3), (results[0].Buckets[0].Taken, results[0].Buckets[0].Tokens, results[0].Buckets[0].Leased));
        Assert.Equal((1, "5", 0), (results[1].Buckets[0].Taken, results[1].Buckets[0].Tokens, results[1].Buckets[0].Leased));
        // A refund, as the runner sends after a later cluster slot refused: given back, capped at capacity.
        Assert.Equal("7", results[2].Buckets[0].Tokens);
        Assert.Equal("7", (string?)await Database.HashGetAsync("c", "tokens"));
    }

    [Fact]
    public async Task Run_BucketChargedInEarlierRun_LaterRunReadsWhatTheBatchLeft()
    {
        await RunAsync(Decision(("d", 5, 2, 0)), Decision(("d", 5, 2, 0)));

        var results = await RunAsync(Decision(("d", 5, 1, 0)), Decision(("d", 5, 1, 0)));

        Assert.Equal([1, 0], results.Select(r => r.Admitted));
        Assert.InRange(double.Parse(results[0].Buckets[0].Tokens, CultureInfo.InvariantCulture), 0, 0.01);
        Assert.Equal(results[0].Buckets[0].Tokens, results[1].Buckets[0].Tokens);
    }

    private static (string Key, double Capacity, double Cost, double Extra)[] Decision(params (string Key, double Capacity, double Cost, double Extra)[] buckets) => buckets;

    /// <summary>One run of the script with <paramref name="decisions"/> as one batch; every bucket enforced, at <see cref="Rate"/>.</summary>
    private async Task<ScriptResult[]> RunAsync(params (string Key, double Capacity, double Cost, double Extra)[][] decisions)
    {
        var keys = new List<RedisKey>();
        var args = new List<RedisValue> { decisions.Length };
        foreach (var decision in decisions)
        {
            args.Add(decision.Length);
            foreach (var (key, capacity, cost, extra) in decision)
            {
                keys.Add(key);
                args.AddRange([capacity, Rate, cost, 1, extra]);
            }
        }

        var flat = (RedisResult[])(await Database.ScriptEvaluateAsync(QuotaScript.Source, [.. keys], [.. args]))!;
        var results = new ScriptResult[decisions.Length];
        var at = 0;
        for (var d = 0; d < decisions.Length; d++)
        {
            var admitted = (int)flat[at++];
            var buckets = new BucketResult[decisions[d].Length];
            for (var i = 0; i < buckets.Length; i++, at += QuotaScript.ResultsPerKey)
            {
                buckets[i] = new BucketResult((int)flat[at], (string)flat[at + 1]!, (long)flat[at + 2], (int)flat[at + 4]);
            }

            results[d] = new ScriptResult(admitted, buckets);
        }

        return results;
    }

    private async Task<Dictionary<string, long>> CommandCallsAsync()
    {
        var server = _connection.GetServer(_connection.GetEndPoints()[0]);
        var section = (await server.InfoAsync("commandstats")).Single();
        // cmdstat_hmget: calls=1,usec=…
        return section.ToDictionary(
            entry => entry.Key["cmdstat_".Length..],
            entry => long.Parse(entry.Value.Split(',')[0]["calls=".Length..], CultureInfo.InvariantCulture));
    }

    private sealed record ScriptResult(int Admitted, BucketResult[] Buckets);

    private sealed record BucketResult(int Taken, string Tokens, long RetryMicroseconds, int Leased);
}
