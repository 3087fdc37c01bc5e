namespace Mesh.Quotas.Engine;

/// <summary>The <c>result</c> tag of <c>mesh.quotas.decisions</c>.</summary>
public static class QuotaResults
{
    public const string Allowed = "allowed";
    public const string Rejected = "rejected";
    public const string ShadowRejected = "shadow_rejected";
    public const string FailedOpen = "failed_open";
    public const string FailedClosed = "failed_closed";
}
