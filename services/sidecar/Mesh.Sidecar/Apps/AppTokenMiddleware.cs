using Mesh.ServiceDefaults.Errors;
using Mesh.Sidecar.DaprApi;
using Microsoft.AspNetCore.Connections.Features;

namespace Mesh.Sidecar.Apps;

/// <summary>
/// Every call but health carries its app's token, in <c>dapr-api-token</c> (as Dapr's SDKs send it)
/// or <c>authorization: Bearer</c>; without a known one the call is refused before any lock or
/// bucket is touched: UNAUTHENTICATED over gRPC, and on Dapr's HTTP API what Dapr answers there
/// (401, <c>invalid api token</c>).
/// </summary>
public sealed class AppTokenMiddleware(RequestDelegate next, AppTokens tokens)
{
    public const string DaprTokenHeader = "dapr-api-token";
    private const string BearerPrefix = "Bearer ";

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/grpc.health.v1.Health") || DaprHttpApi.IsOpen(context.Request))
        {
            return next(context);
        }

        var token = Token(context.Request);
        var app = token is null ? null : tokens.AppOf(token, context.Features.Get<IConnectionItemsFeature>()?.Items);
        if (app is null)
        {
            if (DaprHttpApi.IsDaprPath(context.Request.Path))
            {
                return DaprHttpErrors.WriteInvalidTokenAsync(context);
            }

            var refusal = new UnauthenticatedException(
                token is null ? "MISSING_APP_TOKEN" : "UNKNOWN_APP_TOKEN",
                token is null ? $"Send the app's token in '{DaprTokenHeader}' or 'authorization: Bearer'." : "The app token is not one the sidecar knows.");
            return GrpcErrorResponse.WriteAsync(context, refusal.ToStatus());
        }

        new SidecarCaller(app).AttachTo(context);
        return next(context);
    }

    private static string? Token(HttpRequest request)
    {
        var dapr = request.Headers[DaprTokenHeader].ToString();
        if (dapr.Length > 0)
        {
            return dapr;
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) && authorization.Length > BearerPrefix.Length
            ? authorization[BearerPrefix.Length..].Trim()
            : null;
    }
}
