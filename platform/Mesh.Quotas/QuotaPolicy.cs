namespace Mesh.Quotas;

/// <summary>
/// A token bucket's shape: it holds at most <see cref="Capacity"/> tokens and regains
/// <see cref="RefillPerSecond"/>. A call takes <see cref="Cost"/> tokens. A shadow policy is
/// decided and reported but never rejects; <see cref="FailureMode"/> says what happens while
/// Redis cannot decide.
/// </summary>
public sealed record QuotaPolicy(string Name, double Capacity, double RefillPerSecond)
{
    public double Cost { get; init; } = 1;

    public bool Shadow { get; init; }

    public QuotaFailureMode FailureMode { get; init; } = QuotaFailureMode.FailOpen;
}
