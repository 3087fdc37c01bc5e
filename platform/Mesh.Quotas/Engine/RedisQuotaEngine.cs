using Mesh.Quotas.Configuration;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Mesh.Quotas.Engine;

/// <summary>
/// Decides a call's charges in Redis (<see cref="QuotaScriptRunner"/>) unless this process can
/// answer alone: from leased tokens (<see cref="LeaseBook"/>) or a bucket known to be empty
/// (<see cref="DenyCache"/>). Redis is reached through the circuit breaker; while it cannot
/// decide, each policy's failure mode answers.
/// </summary>
public sealed partial class RedisQuotaEngine : IQuotaEngine, IAsyncDisposable
{
    private readonly QuotaScriptRunner _runner;
    private readonly QuotaPolicySource _policies;
    private readonly QuotaMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger<RedisQuotaEngine> _logger;
    private readonly DenyCache _denied;
    private readonly LeaseBook _leases;
    private readonly TimeSpan _breakDuration;

    public RedisQuotaEngine(
        IConnectionMultiplexer redis, QuotaPolicySource policies, QuotaMetrics metrics, TimeProvider clock, ILogger<RedisQuotaEngine> logger,
        QuotaBreakerOptions breaker)
    {
        _runner = new QuotaScriptRunner(redis, QuotaBreaker.Build(breaker, clock, metrics, logger), clock, breaker.Timeout, logger);
        _policies = policies;
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
        _denied = new DenyCache(clock);
        _leases = new LeaseBook(clock);
        _breakDuration = breaker.BreakDuration;
    }

    public ValueTask DisposeAsync() => _runner.DisposeAsync();

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
            var (verdict, leased) = await _runner.DecideAsync(charges, set);
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

}
