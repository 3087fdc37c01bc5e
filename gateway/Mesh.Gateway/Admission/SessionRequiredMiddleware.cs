using Mesh.ServiceDefaults.Errors;

namespace Mesh.Gateway.Admission;

/// <summary>Refuses a call that needs a session and has none, once its address paid for the attempt.</summary>
public sealed class SessionRequiredMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context) =>
        SessionRefusal.Of(context) is { } refusal
            ? GrpcErrorResponse.WriteAsync(context, refusal.ToStatus())
            : next(context);
}
