namespace Mesh.Gateway.Admission;

/// <summary>The caller of this request as the session middleware established it. The token itself is not kept.</summary>
public sealed record GatewayCaller(string UserId, string SessionId)
{
    private static readonly object Key = new();

    public static GatewayCaller? Of(HttpContext context) => context.Items[Key] as GatewayCaller;

    public void AttachTo(HttpContext context) => context.Items[Key] = this;
}
