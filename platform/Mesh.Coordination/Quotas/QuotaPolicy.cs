namespace Mesh.Coordination.Quotas;

/// <summary>A token bucket's shape: it holds at most <see cref="Capacity"/> tokens and regains <see cref="RefillPerSecond"/>.</summary>
public sealed record QuotaPolicy(string Name, double Capacity, double RefillPerSecond);
