using Grpc.Core;
using Mesh.Identity;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.ServiceDefaults.Hosting;

/// <summary>
/// The user id the gateway forwards after authenticating the session. It is believed only from
/// the gateway's workload identity (its client certificate), never from whoever reaches the port;
/// the gateway strips any client-sent copy. In insecure mode (no mutual TLS) it is believed as sent.
/// </summary>
public static class CallerIdentity
{
    public const string UserIdHeader = "x-mesh-user-id";

    public static string GetUserId(this ServerCallContext context)
    {
        var http = context.GetHttpContext();
        if (http.Request.IsHttps && PeerIdentity.Of(http)?.Name != Workloads.Gateway)
        {
            throw new PermissionDeniedException(
                "USER_FROM_NON_GATEWAY", $"Only the gateway speaks for a user; {PeerIdentity.Of(http)?.ToString() ?? "this caller"} cannot.");
        }

        return context.RequestHeaders.GetValue(UserIdHeader) is { Length: > 0 } userId
            ? userId
            : throw new UnauthenticatedException("MISSING_CALLER", "The call carries no authenticated user.");
    }
}
