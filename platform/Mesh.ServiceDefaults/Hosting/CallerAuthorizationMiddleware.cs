using Mesh.Identity;
using Mesh.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http;

namespace Mesh.ServiceDefaults.Hosting;

/// <summary>
/// Refuses a call its caller may not make, before any service code runs: the caller is the
/// workload named by the client certificate that the TLS handshake verified. An internal service
/// serves nothing in plaintext but health (the port Kubernetes probes, which cannot speak TLS).
/// </summary>
public sealed class CallerAuthorizationMiddleware(RequestDelegate next, CallerPolicy policy)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!context.Request.IsHttps)
        {
            return context.Request.Path.StartsWithSegments("/grpc.health.v1.Health")
                ? next(context)
                : Refuse(context, new UnauthenticatedException(
                    "MUTUAL_TLS_REQUIRED", "This service answers over mutual TLS with a mesh certificate only."));
        }

        var caller = PeerIdentity.Of(context);
        if (caller is null)
        {
            return Refuse(context, new UnauthenticatedException("NO_WORKLOAD_IDENTITY", "The client certificate names no workload of this mesh."));
        }

        if (!policy.Allows(path, caller))
        {
            return Refuse(context, new PermissionDeniedException(
                "CALLER_NOT_ALLOWED", $"{caller} may not call {path}.", new Dictionary<string, string> { ["caller"] = caller.ToString(), ["method"] = path }));
        }

        return next(context);
    }

    private static Task Refuse(HttpContext context, MeshException refusal) => GrpcErrorResponse.WriteAsync(context, refusal.ToStatus());
}
