namespace Mesh.Quotas;

/// <summary>One bucket to charge in a decision: its Redis key, its policy and the tokens to take.</summary>
public readonly record struct QuotaCharge(string Key, QuotaPolicy Policy, double Cost);
