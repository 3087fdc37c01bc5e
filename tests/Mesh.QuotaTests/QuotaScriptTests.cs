using System.Globalization;
using Mesh.Quotas.Engine;
using Mesh.Testing;
using StackExchange.Redis;

namespace Mesh.QuotaTests;

/// <summary>
/// The quota script run directly with batches the batcher would send: decisions of one batch that
/// charge the same bucket must decide, and leave Redis, exactly as if each had run alone, one after
/// the other (checked on random batches against one run per decision, the clock pinned), while
/// the bucket is read and written once per run.
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

    [Fact]
    public async Task Run_RandomBatches_DecideAndStoreExactlyAsOneDecisionAtATime()
    {
        var random = new Random(20261202);
        var script = PinClock(QuotaScript.Source);
        double[] costs = [1, 2, 3, 0.1, 0.7, -2, -0.3];

        for (var batch = 0; batch < 300; batch++)
        {
            // Three buckets, each with its policy's shape; now and then a decision resolved under a
            // reloaded policy charges the same bucket with another capacity or rate.
            var shapes = Enumerable.Range(0, 3).Select(_ => (Capacity: random.Next(4) switch { 0 => 1, 1 => 5, 2 => 10, _ => 7.3 }, Rate: random.Next(4) switch { 0 => 0.5, 1 => 1, 2 => 1.0 / 3, _ => 2 })).ToArray();
            var stored = new List<(int Bucket, string Tokens, long Ts)>();
            for (var b = 0; b < shapes.Length; b++)
            {
                if (random.Next(4) > 0)
                {
                    // Up to a third above capacity (a lowered capacity); written up to 5 s ago, or in the future.
                    var tokens = Math.Round(random.NextDouble() * shapes[b].Capacity * 1.3, 2).ToString(CultureInfo.InvariantCulture);
                    stored.Add((b, tokens, random.Next(7) == 0 ? PinnedNow + 1_000_000 : PinnedNow - random.Next(5_000_000)));
                }
            }

            var decisions = Enumerable.Range(0, random.Next(1, 9)).Select(_ =>
            {
                var first = random.Next(3);
                var buckets = random.Next(3) == 0 ? new[] { first, (first + 1 + random.Next(2)) % 3 } : [first];
                return buckets.Select(b =>
                {
                    var (capacity, rate) = shapes[b];
                    if (random.Next(5) == 0)
                    {
                        (capacity, rate) = random.Next(2) == 0 ? (capacity * 2, rate) : (capacity, rate * 2);
                    }

                    return (Bucket: b, Capacity: capacity, Rate: rate, Cost: costs[random.Next(costs.Length)], Enforced: random.Next(5) > 0, Extra: random.Next(10) < 7 ? 0 : random.Next(1, 4));
                }).ToArray();
            }).ToArray();

            // The reference: each decision in a run of its own, reading its buckets from Redis and
            // writing what it took before the next one reads.
            var expected = await RunOnAsync(script, $"r{batch}", stored, decisions, oneByOne: true);
            var actual = await RunOnAsync(script, $"b{batch}", stored, decisions, oneByOne: false);

            Assert.Equal(expected.Results, actual.Results);
            for (var b = 0; b < shapes.Length; b++)
            {
                var (expectedTtl, actualTtl) = (expected.TtlsMs[b], actual.TtlsMs[b]);
                if (expectedTtl is -2 or (>= 0 and < 1_000) || actualTtl is -2 or (>= 0 and < 1_000))
                {
                    // Full again within a second (at least 1 ms): gone (-2) or going by the time it
                    // is read, on either side. The other side must be too, give or take the time
                    // between the reads; a bucket never written (no TTL, -1) must not be.
                    Assert.True(expectedTtl is -2 or (>= 0 and < 2_000) && actualTtl is -2 or (>= 0 and < 2_000),
                        $"batch {batch}, bucket {b}: TTL {expectedTtl} against {actualTtl} ms");
                    continue;
                }

                Assert.Equal(expected.States[b], actual.States[b]);
                Assert.InRange(actualTtl - expectedTtl, -1_000, 1_000);
            }
        }
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

    private const long PinnedNow = 1_700_000_000_250_000;

    /// <summary><paramref name="source"/> with the Redis server's clock replaced by <see cref="PinnedNow"/>, so two runs see the same time.</summary>
    private static string PinClock(string source)
    {
        const string Clock = "local t = redis.call('TIME')\nlocal now = tonumber(t[1]) * 1000000 + tonumber(t[2])";
        Assert.Contains(Clock, source, StringComparison.Ordinal);
        return source.Replace(Clock, $"local now = {PinnedNow}", StringComparison.Ordinal);
    }

    /// <summary>
    /// Stores <paramref name="stored"/> under keys named by <paramref name="prefix"/>, runs <paramref name="script"/>
    /// with <paramref name="decisions"/> as one batch (or, <paramref name="oneByOne"/>, one run per decision), and
    /// returns the results in order and then every bucket's hash and TTL.
    /// </summary>
    private async Task<(string[] Results, string[] States, long[] TtlsMs)> RunOnAsync(
        string script, string prefix, List<(int Bucket, string Tokens, long Ts)> stored,
        (int Bucket, double Capacity, double Rate, double Cost, bool Enforced, int Extra)[][] decisions, bool oneByOne)
    {
        string Key(int bucket) => $"{prefix}:{bucket}";
        foreach (var (bucket, tokens, ts) in stored)
        {
            await Database.HashSetAsync(Key(bucket), [new HashEntry("tokens", tokens), new HashEntry("ts", ts)]);
        }

        // One by one, the runs go in one transaction: Redis expires no key while a transaction or a
        // script runs, so a bucket that a run left full (kept for 1 ms) is still there for the next
        // run, as it is for the next decision of a batch.
        var transaction = Database.CreateTransaction();
        var runs = new List<Task<RedisResult>>();
        foreach (var run in oneByOne ? decisions.Select(d => new[] { d }) : [decisions])
        {
            var keys = new List<RedisKey>();
            var args = new List<RedisValue> { run.Length };
            foreach (var decision in run)
            {
                args.Add(decision.Length);
                foreach (var charge in decision)
                {
                    keys.Add(Key(charge.Bucket));
                    args.AddRange([charge.Capacity, charge.Rate, charge.Cost, charge.Enforced ? 1 : 0, charge.Extra]);
                }
            }

            runs.Add(transaction.ScriptEvaluateAsync(script, [.. keys], [.. args]));
        }

        Assert.True(await transaction.ExecuteAsync());
        var results = new List<string>();
        foreach (var run in runs)
        {
            results.AddRange(((RedisResult[])(await run)!).Select(r => r.ToString()));
        }

        var states = new string[3];
        var ttls = new long[3];
        for (var bucket = 0; bucket < states.Length; bucket++)
        {
            var hash = await Database.HashGetAllAsync(Key(bucket));
            states[bucket] = string.Join(",", hash.OrderBy(e => (string)e.Name!, StringComparer.Ordinal).Select(e => $"{e.Name}={e.Value}"));
            ttls[bucket] = (long)await Database.ExecuteAsync("PTTL", Key(bucket));
        }

        return ([.. results], states, ttls);
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
