namespace Mesh.Quotas.Configuration;

/// <summary>
/// Token leases: an admitted call may take up to <see cref="Share"/> of a bucket's capacity (at
/// most <see cref="Max"/> tokens) besides its own cost, for this process to hand out without Redis
/// for up to <see cref="Lifetime"/>. Leased tokens have left the shared bucket, so no instance can
/// admit more than it holds; unused ones are lost when the lease ends, which is the price in
/// exactness (at most one lease per instance and bucket). <see cref="Share"/> 0 turns leases off.
/// </summary>
public sealed class QuotaLeaseOptions
{
    public double Share { get; set; } = 0.05;

    public double Max { get; set; } = 100;

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(1);
}
