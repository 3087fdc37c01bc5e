namespace Mesh.Quotas.Configuration;

/// <summary>
/// Section <c>Quotas</c>, shared by the gateway and the sidecar. <see cref="Default"/> applies to
/// whatever no policy of <see cref="Policies"/> matches; every matching policy is charged.
/// </summary>
public sealed class QuotaOptions
{
    public const string SectionName = "Quotas";

    public bool Enabled { get; set; } = true;

    public QuotaPolicyOptions Default { get; set; } = new() { Capacity = 100, RefillPerSecond = 20 };

    /// <summary>
    /// Failed Login attempts per email and client address (gateway). Only failures are charged, so
    /// a stranger's wrong passwords from elsewhere never lock the owner out.
    /// </summary>
    public QuotaPolicyOptions PerEmail { get; set; } = new() { Capacity = 10, RefillPerSecond = 0.2 };

    /// <summary>
    /// Failed Login attempts per email from all addresses together (gateway): the ceiling on guessing
    /// one account's password from many addresses. Looser than <see cref="PerEmail"/>.
    /// </summary>
    public QuotaPolicyOptions EmailCeiling { get; set; } = new() { Capacity = 100, RefillPerSecond = 1 };

    /// <summary>Named policies; the name appears in rejections, headers and metrics.</summary>
    public Dictionary<string, QuotaPolicyOptions> Policies { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The failure mode of every policy that does not name its own.</summary>
    public QuotaFailureMode FailureMode { get; set; } = QuotaFailureMode.FailOpen;

    /// <summary>Rejects a call locally, without Redis, while its bucket cannot hold enough tokens yet.</summary>
    public bool DenyCache { get; set; } = true;

    /// <summary>A decision that leaves a bucket below this share of its capacity counts as near empty.</summary>
    public double NearEmptyRatio { get; set; } = 0.1;

    public QuotaBreakerOptions Breaker { get; set; } = new();

    public QuotaLeaseOptions Leases { get; set; } = new();
}
