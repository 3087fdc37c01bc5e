using Mesh.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Mesh.ServiceDefaults.Hosting;

/// <summary>
/// The port of <see cref="HealthPortOptions.Port"/> answers grpc.health.v1 and nothing else:
/// Kubernetes' gRPC probes can neither speak TLS nor reach a pod's loopback, so deployments give
/// each process a plaintext port for them beside its real one (mutual TLS, or the sidecar's
/// loopback), and no call can take that way in.
/// </summary>
public sealed class HealthPortMiddleware(RequestDelegate next, IOptions<HealthPortOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (options.Value.Port is not { } port || context.Connection.LocalPort != port
            || context.Request.Path.StartsWithSegments("/grpc.health.v1.Health"))
        {
            return next(context);
        }

        var refusal = new UnauthenticatedException("HEALTH_PORT", "This port answers health checks only.");
        return GrpcErrorResponse.WriteAsync(context, refusal.ToStatus());
    }
}
