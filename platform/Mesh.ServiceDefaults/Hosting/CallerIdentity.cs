using Grpc.Core;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.ServiceDefaults.Hosting;

/// <summary>
/// The user id the gateway forwards after authenticating the session. Services trust it because
/// only the gateway reaches them (internal network); the gateway strips it from client requests.
/// </summary>
public static class CallerIdentity
{
    public const string UserIdHeader = "x-mesh-user-id";

    public static string GetUserId(this ServerCallContext context) =>
        context.RequestHeaders.GetValue(UserIdHeader) is { Length: > 0 } userId
            ? userId
            : throw new UnauthenticatedException("MISSING_CALLER", "The call carries no authenticated user.");
}
