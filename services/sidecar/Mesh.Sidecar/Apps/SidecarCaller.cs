using Grpc.Core;

namespace Mesh.Sidecar.Apps;

/// <summary>
/// The app a call comes from, as its token said. Everything an app names (lock resources, rate
/// limit domains) lives in a space of its own, <c>sidecar/&lt;app&gt;/…</c>, so apps never see
/// each other's locks or buckets, nor the gateway's.
/// </summary>
public sealed record SidecarCaller(string AppId)
{
    private static readonly object Key = new();

    public static SidecarCaller Of(HttpContext context) =>
        context.Items[Key] as SidecarCaller ?? throw new InvalidOperationException("The app token middleware has not run.");

    public static SidecarCaller Of(ServerCallContext context) => Of(context.GetHttpContext());

    public void AttachTo(HttpContext context) => context.Items[Key] = this;

    /// <summary>The name the lock store sees for the app's <paramref name="resourceId"/>.</summary>
    public string LockResource(string resourceId) => $"sidecar/{AppId}/{resourceId}";

    /// <summary>Where the app's buckets for <paramref name="domain"/> live.</summary>
    public string QuotaKeySpace(string domain) => $"sidecar/{AppId}/{domain}";
}
