using System.ComponentModel.DataAnnotations;
using Mesh.Coordination.Quotas;

namespace Mesh.Gateway.Quotas;

/// <summary>Section <c>Quotas</c>: one token bucket per caller and gRPC method.</summary>
public sealed class QuotaOptions
{
    public const string SectionName = "Quotas";

    public bool Enabled { get; set; } = true;

    [Required]
    public BucketOptions Default { get; set; } = new();

    /// <summary>Login and Register attempts per email address, on top of the per-address default.</summary>
    [Required]
    public BucketOptions PerEmail { get; set; } = new() { Capacity = 10, RefillPerSecond = 0.2 };

    public QuotaPolicy DefaultPolicy => new("default", Default.Capacity, Default.RefillPerSecond);

    public QuotaPolicy PerEmailPolicy => new("per-email", PerEmail.Capacity, PerEmail.RefillPerSecond);

    public sealed class BucketOptions
    {
        /// <summary>The burst: tokens a full bucket holds.</summary>
        [Range(1, 1_000_000_000)]
        public double Capacity { get; set; } = 100;

        [Range(0.000001, 1_000_000_000)]
        public double RefillPerSecond { get; set; } = 20;
    }
}
