namespace Mesh.Gateway.Routing;

/// <summary>
/// The gRPC method a call reaches, in its canonical spelling <c>/package.Service/Method</c>:
/// what sessions, quotas and policies go by, whatever spelling the client sent.
/// </summary>
public sealed record GatewayMethod(string Path, MethodAccess Access)
{
    private static readonly object Key = new();

    public static GatewayMethod? Of(HttpContext context) => context.Items[Key] as GatewayMethod;

    public void AttachTo(HttpContext context) => context.Items[Key] = this;
}
