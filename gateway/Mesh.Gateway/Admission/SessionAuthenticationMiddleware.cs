using Mesh.Gateway.Routing;
using Mesh.Gateway.Sessions;
using Mesh.ServiceDefaults.Errors;
using Mesh.ServiceDefaults.Hosting;
using Microsoft.Net.Http.Headers;

namespace Mesh.Gateway.Admission;

/// <summary>
/// Resolves the bearer token to a user through the Redis session, then forwards only the user id:
/// the token itself never leaves the gateway, and a client cannot claim a user id of its own.
/// A call without a valid session is not refused here but after the quota middleware charged it to
/// the caller's address (<see cref="SessionRequiredMiddleware"/>), so guessing tokens costs quota.
/// </summary>
public sealed class SessionAuthenticationMiddleware(RequestDelegate next, ISessionStore sessions)
{
    private const string BearerPrefix = "Bearer ";

    public async Task InvokeAsync(HttpContext context)
    {
        context.Request.Headers.Remove(CallerIdentity.UserIdHeader);
        var token = BearerToken(context.Request);
        context.Request.Headers.Remove(HeaderNames.Authorization);

        if (GatewayMethod.Of(context)?.Access != MethodAccess.Session)
        {
            await next(context);
            return;
        }

        var session = token is null ? null : await sessions.AuthenticateAsync(token, context.RequestAborted);
        if (session is null)
        {
            SessionRefusal.AttachTo(context, new UnauthenticatedException(
                token is null ? "MISSING_TOKEN" : "INVALID_SESSION",
                token is null ? "This call needs 'authorization: Bearer <token>' from Login." : "The session is unknown, expired or revoked; log in again."));
        }
        else
        {
            new GatewayCaller(session.UserId, session.SessionId).AttachTo(context);
            context.Request.Headers[CallerIdentity.UserIdHeader] = session.UserId;
        }

        await next(context);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var value = request.Headers.Authorization.ToString();
        return value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) && value.Length > BearerPrefix.Length
            ? value[BearerPrefix.Length..].Trim()
            : null;
    }
}
