namespace Mesh.Quotas.Configuration;

/// <summary>
/// How long a decision may wait for Redis, and when the circuit breaker stops asking it: read at
/// start-up only, since a breaker that changes shape mid-flight would lose its state.
/// </summary>
public sealed class QuotaBreakerOptions
{
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(500);

    public double FailureRatio { get; set; } = 0.5;

    public int MinimumThroughput { get; set; } = 5;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
