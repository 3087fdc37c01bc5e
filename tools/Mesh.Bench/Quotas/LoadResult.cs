namespace Mesh.Bench.Quotas;

/// <summary>What one timed phase of calls achieved: completed calls per second and their latency.</summary>
public sealed record LoadResult(long Calls, long Failures, TimeSpan Elapsed, TimeSpan P50, TimeSpan P99)
{
    public double PerSecond => Calls / Elapsed.TotalSeconds;

    public override string ToString() =>
        $"{PerSecond:N0}/s, p50 {P50.TotalMilliseconds:0.00} ms, p99 {P99.TotalMilliseconds:0.00} ms{(Failures > 0 ? $", {Failures} failed" : "")}";
}
