namespace Mesh.Quotas;

/// <summary>
/// The outcome of one charge. <see cref="RetryAfter"/> is when enough tokens exist again (zero when
/// allowed); <see cref="ResetAfter"/> is when the bucket is full again.
/// </summary>
public readonly record struct QuotaDecision(
    bool Allowed, double Limit, double Remaining, TimeSpan RetryAfter, TimeSpan ResetAfter);
