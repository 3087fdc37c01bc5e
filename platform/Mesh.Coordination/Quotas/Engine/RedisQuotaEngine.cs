using System.Globalization;
using Mesh.Coordination.Quotas.Configuration;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Mesh.Coordination.Quotas.Engine;

/// <summary>
/// Decides a call's charges with one EVALSHA of <see cref="QuotaScript"/> (SCRIPT LOAD again on
/// NOSCRIPT), behind the deny cache and the circuit breaker. On Redis Cluster, charges whose
/// buckets fall in different slots run as one script per slot; should a later slot refuse, the
/// tokens taken in earlier slots are given back, so the all-or-nothing rule still holds. An
/// admitted call may lease a few more tokens (<see cref="LeaseBook"/>), so that later calls on the
/// same buckets need no Redis round trip.
/// </summary>
public sealed partial class RedisQuotaEngine : IQuotaEngine
{
    private readonly IConnectionMultiplexer _redis;
    private readonly QuotaPolicySource _policies;
    private readonly QuotaMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger<RedisQuotaEngine> _logger;
    private readonly DenyCache _denied;
    private readonly LeaseBook _leases;
    private readonly ResiliencePipeline _breaker;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _breakDuration;

    public RedisQuotaEngine(
        IConnectionMultiplexer redis, QuotaPolicySource policies, QuotaMetrics metrics, TimeProvider clock, ILogger<RedisQuotaEngine> logger,
        QuotaBreakerOptions breaker)
    {
        _redis = redis;
        _policies = policies;
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
        _denied = new DenyCache(clock);
        _leases = new LeaseBook(clock);
        _timeout = breaker.Timeout;
        _breakDuration = breaker.BreakDuration;
        _breaker = QuotaBreaker.Build(breaker, clock, metrics, logger);
    }

    public async ValueTask<QuotaVerdict> DecideAsync(IReadOnlyList<QuotaCharge> charges, CancellationToken cancellationToken)
    {
        if (charges.Count == 0)
        {
            return QuotaVerdict.Empty;
        }

        var set = _policies.Current;
        var local = (_leases.IsEmpty ? null : _leases.TryServe(charges)) ?? (set.DenyCache ? DecideLocally(charges) : null);
        if (local is not null)
        {
            Record(local, set.NearEmptyRatio);
            return local;
        }

        var askedAt = _clock.GetTimestamp();
        try
        {
            var (verdict, leased) = await _breaker.ExecuteAsync(
                static (state, _) => state.Engine.DecideInRedisAsync(state.Charges, state.Set), (Engine: this, Charges: charges, Set: set), cancellationToken);
            _metrics.RedisLatency(_clock.GetElapsedTime(askedAt), succeeded: true);
            RememberEmpty(verdict, askedAt);
            verdict = KeepLeases(verdict, leased, set);
            Record(verdict, set.NearEmptyRatio);
            return verdict;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or BrokenCircuitException)
        {
            if (exception is not BrokenCircuitException)
            {
                _metrics.RedisLatency(_clock.GetElapsedTime(askedAt), succeeded: false);
                LogRedisFailed(exception.GetType().Name, exception.Message);
            }

            var failed = Failed(charges);
            Record(failed, set.NearEmptyRatio);
            return failed;
        }
    }

    private QuotaVerdict? DecideLocally(IReadOnlyList<QuotaCharge> charges)
    {
        QuotaDecision[]? decisions = null;
        for (var i = 0; i < charges.Count; i++)
        {
            var charge = charges[i];
            if (charge.Policy.Shadow || !_denied.TryDeny(charge.Key, charge.Cost, out var retry, out var tokens))
            {
                continue;
            }

            decisions ??= charges.Select(c => new QuotaDecision(true, c.Policy.Capacity, c.Policy.Capacity, TimeSpan.Zero, TimeSpan.Zero)).ToArray();
            var policy = charge.Policy;
            decisions[i] = new QuotaDecision(false, policy.Capacity, tokens, retry, TimeSpan.FromSeconds((policy.Capacity - tokens) / policy.RefillPerSecond));
        }

        return decisions is null ? null : new QuotaVerdict(QuotaOutcome.Rejected, charges, decisions);
    }

    private async ValueTask<(QuotaVerdict Verdict, double[] Leased)> DecideInRedisAsync(IReadOnlyList<QuotaCharge> charges, QuotaPolicySet set)
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

    /// <summary>Hands leased tokens to the lease book; what a client hears as remaining includes them.</summary>
    private QuotaVerdict KeepLeases(QuotaVerdict verdict, double[] leased, QuotaPolicySet set)
    {
        QuotaDecision[]? decisions = null;
        for (var i = 0; i < leased.Length; i++)
        {
            if (leased[i] > 0)
            {
                var decision = verdict.Decisions[i];
                var held = _leases.Add(verdict.Charges[i].Key, leased[i], decision, set.Leases.Lifetime);
                decisions ??= [.. verdict.Decisions];
                decisions[i] = decision with { Remaining = decision.Remaining + held };
            }
        }

        return decisions is null ? verdict : verdict with { Decisions = decisions };
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

    private bool IsCluster() => _redis.GetServers().Any(s => s.IsConnected && s.ServerType == ServerType.Cluster);

    private async ValueTask RefundAsync(List<List<QuotaCharge>> taken)
    {
        foreach (var group in taken)
        {
            var refund = group.Select(c => c with { Cost = -c.Cost, Policy = c.Policy with { Shadow = true } }).ToList();
            await EvaluateAsync(refund, leases: null);
        }
    }

    /// <summary>Runs the script; with <paramref name="leases"/>, each bucket may lease tokens (never across slots, never for refunds).</summary>
    private async ValueTask<RedisResult[]> EvaluateAsync(IReadOnlyList<QuotaCharge> buckets, QuotaPolicySet? leases)
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

        var database = _redis.GetDatabase();
        try
        {
            return (RedisResult[])(await database.ScriptEvaluateAsync(QuotaScript.Sha1, keys, args).WaitAsync(_timeout, _clock))!;
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            await LoadScriptAsync();
            return (RedisResult[])(await database.ScriptEvaluateAsync(QuotaScript.Sha1, keys, args).WaitAsync(_timeout, _clock))!;
        }
    }

    /// <summary>SCRIPT LOAD on every primary: after a restart or failover the script cache is empty.</summary>
    private async Task LoadScriptAsync()
    {
        foreach (var server in _redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await server.ScriptLoadAsync(QuotaScript.Source).WaitAsync(_timeout, _clock);
        }

        LogScriptLoaded();
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

    private void RememberEmpty(QuotaVerdict verdict, long askedAt)
    {
        for (var i = 0; i < verdict.Charges.Count; i++)
        {
            var charge = verdict.Charges[i];
            if (!verdict.Decisions[i].Allowed && !charge.Policy.Shadow)
            {
                _denied.Remember(charge.Key, verdict.Decisions[i].Remaining, charge.Policy.Capacity, charge.Policy.RefillPerSecond, askedAt);
            }
        }
    }

    private QuotaVerdict Failed(IReadOnlyList<QuotaCharge> charges)
    {
        var closed = charges.Any(c => !c.Policy.Shadow && c.Policy.FailureMode == QuotaFailureMode.FailClosed);
        var decisions = charges
            .Select(c => new QuotaDecision(!closed, c.Policy.Capacity, c.Policy.Capacity, closed ? _breakDuration : TimeSpan.Zero, TimeSpan.Zero))
            .ToArray();
        return new QuotaVerdict(closed ? QuotaOutcome.FailedClosed : QuotaOutcome.FailedOpen, charges, decisions);
    }

    private void Record(QuotaVerdict verdict, double nearEmptyRatio)
    {
        for (var i = 0; i < verdict.Charges.Count; i++)
        {
            var policy = verdict.Charges[i].Policy;
            var decision = verdict.Decisions[i];
            var result = verdict.Outcome switch
            {
                QuotaOutcome.FailedOpen => QuotaResults.FailedOpen,
                QuotaOutcome.FailedClosed => QuotaResults.FailedClosed,
                _ when policy.Shadow && !decision.Allowed => QuotaResults.ShadowRejected,
                QuotaOutcome.Allowed => QuotaResults.Allowed,
                _ when !decision.Allowed => QuotaResults.Rejected,
                _ => null,
            };
            if (result is not null)
            {
                _metrics.Decided(policy.Name, result);
            }

            if (verdict.Outcome == QuotaOutcome.Allowed && decision.Remaining < policy.Capacity * nearEmptyRatio)
            {
                _metrics.NearEmpty(policy.Name);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Quota decision failed in Redis ({ExceptionType}): {Reason}")]
    private partial void LogRedisFailed(string exceptionType, string reason);

    [LoggerMessage(LogLevel.Information, "Quota script loaded into Redis after NOSCRIPT.")]
    private partial void LogScriptLoaded();
}
