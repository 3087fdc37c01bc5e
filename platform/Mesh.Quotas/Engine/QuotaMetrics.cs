using System.Diagnostics.Metrics;

namespace Mesh.Quotas.Engine;

/// <summary>The meter <c>Mesh.Quotas</c>: decisions by policy and result, Redis latency, near-empty buckets, breaker state.</summary>
public sealed class QuotaMetrics
{
    public const string MeterName = "Mesh.Quotas";

    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _nearEmpty;
    private readonly Counter<long> _breaker;

    public QuotaMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _decisions = meter.CreateCounter<long>("mesh.quotas.decisions", "{decision}", "Quota decisions by policy and result.");
        _latency = meter.CreateHistogram<double>("mesh.quotas.redis.duration", "s", "Time Redis took to decide one call.");
        _nearEmpty = meter.CreateCounter<long>("mesh.quotas.buckets.near_empty", "{decision}", "Admitted calls that left a bucket nearly empty.");
        _breaker = meter.CreateCounter<long>("mesh.quotas.breaker.transitions", "{transition}", "Circuit breaker state changes.");
    }

    public void Decided(string policy, string result) =>
        _decisions.Add(1, new KeyValuePair<string, object?>("policy", policy), new KeyValuePair<string, object?>("result", result));

    public void RedisLatency(TimeSpan elapsed, bool succeeded) =>
        _latency.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", succeeded ? "ok" : "error"));

    public void NearEmpty(string policy) => _nearEmpty.Add(1, new KeyValuePair<string, object?>("policy", policy));

    public void BreakerChanged(string state) => _breaker.Add(1, new KeyValuePair<string, object?>("state", state));
}
