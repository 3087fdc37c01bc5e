namespace Mesh.Gateway.Admission;

/// <summary>
/// The client's address as quotas see it: the connection's peer, or the client named in
/// <c>X-Forwarded-For</c> when the peer is a trusted proxy (the forwarded-headers middleware has
/// replaced the peer address by then).
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
