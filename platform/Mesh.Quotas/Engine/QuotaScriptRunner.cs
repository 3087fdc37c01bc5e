using System.Globalization;
using Mesh.Quotas.Configuration;
using Microsoft.Extensions.Logging;
using Polly;
using StackExchange.Redis;

namespace Mesh.Quotas.Engine;

/// <summary>
/// Runs a call's charges through <see cref="QuotaScript"/> by EVALSHA (SCRIPT LOAD again on
/// NOSCRIPT). On Redis Cluster, charges whose buckets fall in different slots run as one script
/// per slot; should a later slot refuse, the tokens taken in earlier slots are given back, so the
/// all-or-nothing rule still holds. Each Redis call waits at most the breaker's timeout and goes
/// through the circuit breaker: one breaker execution per script run, however many decisions a
/// batch carries (refunds bypass it, so that tokens taken are given back even as it opens).
/// </summary>
internal sealed partial class QuotaScriptRunner : IAsyncDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly ResiliencePipeline _breaker;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly QuotaBatcher _batcher;
    private bool? _cluster;

    public QuotaScriptRunner(IConnectionMultiplexer redis, ResiliencePipeline breaker, TimeProvider clock, TimeSpan timeout, ILogger logger)
    {
        _redis = redis;
        _breaker = breaker;
        _clock = clock;
        _timeout = timeout;
        _logger = logger;
        _batcher = new QuotaBatcher(RunGuardedAsync, clock);
    }

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();

    public async ValueTask<(QuotaVerdict Verdict, double[] Leased)> DecideAsync(IReadOnlyList<QuotaCharge> charges, QuotaPolicySet set)
    {
        if (charges.Count == 1)
        {
            // The common case, without the grouping below: one bucket, one script.
            var result = await EvaluateAsync(charges, set);
            var (leasedOne, decision) = Parse(charges[0].Policy, result, 0);
            var outcome = (int)result[0] == 1 ? QuotaOutcome.Allowed : QuotaOutcome.Rejected;
            return (new QuotaVerdict(outcome, charges, new[] { decision }), [leasedOne]);
        }

        var buckets = Buckets(charges);
        var groups = SlotGroups(buckets);
        var decided = new Dictionary<string, (double Leased, QuotaDecision Decision)>(StringComparer.Ordinal);
        var admitted = true;
        var done = new List<List<QuotaCharge>>();
        foreach (var group in groups)
        {
            var result = await EvaluateAsync(group, group.Count == groups.Sum(g => g.Count) ? set : null);
            admitted = (int)result[0] == 1;
            for (var i = 0; i < group.Count; i++)
            {
                decided[group[i].Key] = Parse(group[i].Policy, result, i);
            }

            if (!admitted)
            {
                break;
            }

            done.Add(group);
        }

        if (!admitted && groups.Count > 1)
        {
            await RefundAsync(done);
        }

        var decisions = charges.Select(c => decided.TryGetValue(c.Key, out var d)
            ? d.Decision
            : new QuotaDecision(true, c.Policy.Capacity, c.Policy.Capacity, TimeSpan.Zero, TimeSpan.Zero)).ToArray();
        var leased = new double[charges.Count];
        for (var i = 0; i < charges.Count; i++)
        {
            if (decided.TryGetValue(charges[i].Key, out var d) && decided.Remove(charges[i].Key))
            {
                leased[i] = d.Leased; // A bucket named twice leases once.
            }
        }

        return (new QuotaVerdict(admitted ? QuotaOutcome.Allowed : QuotaOutcome.Rejected, charges, decisions), leased);
    }

    /// <summary>One charge per bucket: a call that names a bucket twice pays both costs at once.</summary>
    private static List<QuotaCharge> Buckets(IReadOnlyList<QuotaCharge> charges)
    {
        var buckets = new List<QuotaCharge>(charges.Count);
        foreach (var charge in charges)
        {
            var index = buckets.FindIndex(b => b.Key == charge.Key);
            if (index < 0)
            {
                buckets.Add(charge);
            }
            else
            {
                var merged = buckets[index];
                var shadow = merged.Policy.Shadow && charge.Policy.Shadow;
                buckets[index] = merged with { Cost = merged.Cost + charge.Cost, Policy = merged.Policy with { Shadow = shadow } };
            }
        }

        return buckets;
    }

    private List<List<QuotaCharge>> SlotGroups(List<QuotaCharge> buckets)
    {
        if (buckets.Count == 1 || !IsCluster())
        {
            return [buckets];
        }

        return buckets.GroupBy(b => _redis.HashSlot(b.Key)).Select(g => g.ToList()).ToList();
    }

    /// <summary>Whether Redis is a cluster, asked once a server has answered (a standalone Redis does not become one).</summary>
    private bool IsCluster()
    {
        if (_cluster is { } known)
        {
            return known;
        }

        var servers = _redis.GetServers().Where(s => s.IsConnected).ToList();
        if (servers.Count == 0)
        {
            return false;
        }

        _cluster = servers.Any(s => s.ServerType == ServerType.Cluster);
        return _cluster.Value;
    }

    private async ValueTask RefundAsync(List<List<QuotaCharge>> taken)
    {
        foreach (var group in taken)
        {
            var refund = group.Select(c => c with { Cost = -c.Cost, Policy = c.Policy with { Shadow = true } }).ToList();
            await RunAsync([Call(refund, leases: null)]).WaitAsync(_timeout, _clock);
        }
    }

    /// <summary>
    /// Runs the script for one decision; with <paramref name="leases"/>, each bucket may lease
    /// tokens (never across slots). Off Redis Cluster, decisions go through the batcher; on a
    /// cluster each runs alone, since one script may only touch one slot.
    /// Returns { admitted, then <see cref="QuotaScript.ResultsPerKey"/> values per bucket }.
    /// </summary>
    private async ValueTask<RedisResult[]> EvaluateAsync(IReadOnlyList<QuotaCharge> buckets, QuotaPolicySet? leases)
    {
        var call = Call(buckets, leases);
        return IsCluster() ? (await RunGuardedAsync([call], _timeout))[0] : await _batcher.SubmitAsync(call, _timeout);
    }

    private static ScriptCall Call(IReadOnlyList<QuotaCharge> buckets, QuotaPolicySet? leases)
    {
        var keys = new RedisKey[buckets.Count];
        var args = new RedisValue[buckets.Count * QuotaScript.ArgsPerKey];
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            var at = i * QuotaScript.ArgsPerKey;
            keys[i] = bucket.Key;
            args[at] = bucket.Policy.Capacity;
            args[at + 1] = bucket.Policy.RefillPerSecond;
            args[at + 2] = bucket.Cost;
            args[at + 3] = bucket.Policy.Shadow ? 0 : 1;
            args[at + 4] = leases?.LeaseSize(bucket.Policy, bucket.Cost) ?? 0;
        }

        return new ScriptCall(keys, args);
    }

    /// <summary>One script run through the circuit breaker, waiting at most <paramref name="timeLeft"/>.</summary>
    private Task<RedisResult[][]> RunGuardedAsync(IReadOnlyList<ScriptCall> calls, TimeSpan timeLeft) =>
        _breaker.ExecuteAsync(
            static async (state, _) => await state.Runner.RunAsync(state.Calls).WaitAsync(state.TimeLeft, state.Runner._clock),
            (Runner: this, Calls: calls, TimeLeft: timeLeft)).AsTask();

    /// <summary>One EVALSHA for several decisions; their results, split per decision.</summary>
    private async Task<RedisResult[][]> RunAsync(IReadOnlyList<ScriptCall> calls)
    {
        var keyCount = 0;
        var argCount = 1 + calls.Count;
        foreach (var call in calls)
        {
            keyCount += call.Keys.Length;
            argCount += call.Args.Length;
        }

        // { decisions, then per decision: its bucket count and its arguments }
        var keys = new RedisKey[keyCount];
        var args = new RedisValue[argCount];
        args[0] = calls.Count;
        var (k, a) = (0, 1);
        foreach (var call in calls)
        {
            call.Keys.CopyTo(keys, k);
            k += call.Keys.Length;
            args[a++] = call.Keys.Length;
            call.Args.CopyTo(args, a);
            a += call.Args.Length;
        }

        RedisResult[] flat;
        var database = _redis.GetDatabase();
        try
        {
            flat = (RedisResult[])(await database.ScriptEvaluateAsync(QuotaScript.Sha1, keys, args))!;
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            await LoadScriptAsync();
            flat = (RedisResult[])(await database.ScriptEvaluateAsync(QuotaScript.Sha1, keys, args))!;
        }

        var results = new RedisResult[calls.Count][];
        var at = 0;
        for (var i = 0; i < calls.Count; i++)
        {
            var length = 1 + (calls[i].Keys.Length * QuotaScript.ResultsPerKey);
            results[i] = flat[at..(at + length)];
            at += length;
        }

        return results;
    }

    /// <summary>SCRIPT LOAD on every primary: after a restart or failover the script cache is empty.</summary>
    private async Task LoadScriptAsync()
    {
        foreach (var server in _redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await server.ScriptLoadAsync(QuotaScript.Source).WaitAsync(_timeout, _clock);
        }

        LogScriptLoaded(_logger);
    }

    private static (double Leased, QuotaDecision Decision) Parse(QuotaPolicy policy, RedisResult[] result, int index)
    {
        var at = 1 + (index * QuotaScript.ResultsPerKey);
        var retry = TimeSpan.FromMicroseconds((long)result[at + 2]);
        return ((double)result[at + 4], new QuotaDecision(
            Allowed: retry == TimeSpan.Zero,
            Limit: policy.Capacity,
            Remaining: double.Parse((string)result[at + 1]!, CultureInfo.InvariantCulture),
            RetryAfter: retry,
            ResetAfter: TimeSpan.FromMicroseconds((long)result[at + 3])));
    }

    [LoggerMessage(LogLevel.Information, "Quota script loaded into Redis after NOSCRIPT.")]
    private static partial void LogScriptLoaded(ILogger logger);
}
