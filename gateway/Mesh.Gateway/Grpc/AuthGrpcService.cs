using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Contracts.Internal.V1;
using Mesh.Contracts.V1;
using SessionInfo = Mesh.Contracts.V1.SessionInfo;
using Mesh.Gateway.Admission;
using Mesh.Gateway.Routing;
using Mesh.Gateway.Sessions;
using Mesh.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;
using ChangePasswordRequest = Mesh.Contracts.V1.ChangePasswordRequest;
using InternalChangePassword = Mesh.Contracts.Internal.V1.ChangePasswordRequest;

namespace Mesh.Gateway.Grpc;

/// <summary>
/// mesh.v1.Auth at the gateway, which owns sessions: passwords are checked by the user service,
/// sessions are opened, listed and revoked here.
/// </summary>
public sealed class AuthGrpcService(
    Auth.AuthClient users,
    Credentials.CredentialsClient credentials,
    ISessionStore sessions,
    CredentialQuota credentialQuota,
    IOptions<ServiceAddresses> addresses) : Auth.AuthBase
{
    /// <summary>The longest password anyone can have (the user service's rule); longer ones are refused before hashing.</summary>
    public const int MaxPasswordLength = 128;

    /// <summary>
    /// Forwarded as it is: the user service answers alike whether or not the email is taken, so
    /// Register reveals no more than Login does and needs no per-email bucket; the address bucket
    /// (the quota middleware) bounds it.
    /// </summary>
    public override Task<User> Register(RegisterRequest request, ServerCallContext context) =>
        users.RegisterAsync(request, deadline: Deadline(), cancellationToken: context.CancellationToken).ResponseAsync;

    public override async Task<Session> Login(LoginRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations().RequireText("email", request.Email, 254);
        RequirePassword(violations, "password", request.Password);
        violations.ThrowIfAny();
        var attempt = await credentialQuota.ChargeAsync(request.Email, ClientAddress.Of(context.GetHttpContext()), context.CancellationToken);
        VerifyPasswordResponse verified;
        try
        {
            verified = await credentials.VerifyPasswordAsync(
                new VerifyPasswordRequest { Email = request.Email, Password = request.Password },
                deadline: Deadline(),
                cancellationToken: context.CancellationToken);
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted)
        {
            // The password was not checked: the attempt did not fail, and the client may retry it.
            await attempt.RefundAsync();
            throw;
        }

        await attempt.RefundAsync();
        var grant = await sessions.CreateAsync(verified.UserId, ClientInfo(context), context.CancellationToken);
        return new Session { Token = grant.Token, UserId = grant.UserId, ExpiresAt = Timestamp.FromDateTimeOffset(grant.ExpiresAt) };
    }

    public override async Task<Empty> Logout(LogoutRequest request, ServerCallContext context)
    {
        var caller = Caller(context);
        await sessions.RevokeAsync(caller.UserId, caller.SessionId, context.CancellationToken);
        return new Empty();
    }

    public override async Task<ListSessionsResponse> ListSessions(ListSessionsRequest request, ServerCallContext context)
    {
        var caller = Caller(context);
        var live = await sessions.ListAsync(caller.UserId, context.CancellationToken);
        return new ListSessionsResponse { Sessions = { live.Select(s => ToContract(s, caller)) } };
    }

    public override async Task<Empty> RevokeSession(RevokeSessionRequest request, ServerCallContext context)
    {
        var caller = Caller(context);
        new FieldViolations().RequireText("session_id", request.SessionId, 64).ThrowIfAny();
        return await sessions.RevokeAsync(caller.UserId, request.SessionId, context.CancellationToken)
            ? new Empty()
            : throw ResourceException.NotFound("session", request.SessionId);
    }

    public override async Task<Empty> ChangePassword(ChangePasswordRequest request, ServerCallContext context)
    {
        var caller = Caller(context);
        var violations = new FieldViolations();
        RequirePassword(violations, "current_password", request.CurrentPassword);
        RequirePassword(violations, "new_password", request.NewPassword);
        violations.ThrowIfAny();
        await credentials.ChangePasswordAsync(
            new InternalChangePassword { UserId = caller.UserId, CurrentPassword = request.CurrentPassword, NewPassword = request.NewPassword },
            deadline: Deadline(),
            cancellationToken: context.CancellationToken);

        // Whoever else holds a session may have learnt the old password: only this one survives.
        await sessions.RevokeAllExceptAsync(caller.UserId, caller.SessionId, context.CancellationToken);
        return new Empty();
    }

    private static void RequirePassword(FieldViolations violations, string field, string password)
    {
        if (password.Length == 0)
        {
            violations.Add(field, "must not be empty");
        }
        else if (password.Length > MaxPasswordLength)
        {
            violations.Add(field, $"must be at most {MaxPasswordLength} characters");
        }
    }

    /// <summary>The session middleware admitted every call but Register and Login, so the caller is known.</summary>
    private static GatewayCaller Caller(ServerCallContext context) =>
        GatewayCaller.Of(context.GetHttpContext())
        ?? throw new UnauthenticatedException("MISSING_TOKEN", "This call needs a session.");

    private static SessionInfo ToContract(Sessions.SessionInfo session, GatewayCaller caller) => new()
    {
        SessionId = session.SessionId,
        CreatedAt = Timestamp.FromDateTimeOffset(session.CreatedAt),
        LastUsedAt = Timestamp.FromDateTimeOffset(session.LastUsedAt),
        ExpiresAt = Timestamp.FromDateTimeOffset(session.ExpiresAt),
        Client = session.Client,
        Current = session.SessionId == caller.SessionId,
    };

    private DateTime Deadline() => DateTime.UtcNow.Add(addresses.Value.CallTimeout);

    private static string ClientInfo(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        return $"{ClientAddress.Of(http)}; {http.Request.Headers.UserAgent}";
    }
}
