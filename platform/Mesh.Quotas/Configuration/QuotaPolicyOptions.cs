namespace Mesh.Quotas.Configuration;

/// <summary>
/// One policy. <see cref="Match"/> names descriptor entries a call must carry (value <c>*</c>: any
/// value); <see cref="By"/> names the entries whose values make up the bucket (empty: all entries).
/// The rate is either <see cref="RefillPerSecond"/> or <see cref="RequestsPerUnit"/> per
/// <see cref="Unit"/> (second, minute, hour, day); <see cref="Capacity"/> defaults to a unit's worth.
/// </summary>
public sealed class QuotaPolicyOptions
{
    public Dictionary<string, string> Match { get; set; } = new(StringComparer.Ordinal);

    public List<string> By { get; set; } = [];

    public double? Capacity { get; set; }

    public double? RefillPerSecond { get; set; }

    public double? RequestsPerUnit { get; set; }

    public string? Unit { get; set; }

    public double Cost { get; set; } = 1;

    public bool Shadow { get; set; }

    public bool Unlimited { get; set; }

    public QuotaFailureMode? FailureMode { get; set; }
}
