using Mesh.Quotas;

namespace Mesh.Sidecar.RateLimiting;

/// <summary>
/// The answer to one check: the engine's verdict and, per descriptor of the request, the index of
/// the charge that speaks for it (-1 when an unlimited policy matched or quotas are off).
/// </summary>
public sealed record RateLimitCheck(QuotaVerdict Verdict, IReadOnlyList<int> DecidingCharge)
{
    public bool Admitted => Verdict.Admitted;
}
