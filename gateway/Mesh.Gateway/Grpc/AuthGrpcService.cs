using Grpc.Core;
using Mesh.Contracts.Internal.V1;
using Mesh.Contracts.V1;
using Mesh.Coordination.Sessions;
using Mesh.Gateway.Admission;
using Mesh.Gateway.Routing;
using Mesh.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Grpc;

/// <summary>
/// mesh.v1.Auth at the gateway, which owns sessions: Register is passed to the user service,
/// Login checks the password there and opens a Redis session here, Logout revokes it.
/// </summary>
public sealed class AuthGrpcService(
    Auth.AuthClient users,
    Credentials.CredentialsClient credentials,
    ISessionStore sessions,
    IOptions<ServiceAddresses> addresses) : Auth.AuthBase
{
    public override Task<User> Register(RegisterRequest request, ServerCallContext context) =>
        users.RegisterAsync(request, deadline: Deadline(), cancellationToken: context.CancellationToken).ResponseAsync;

    public override async Task<Session> Login(LoginRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations().RequireText("email", request.Email, 254);
        if (request.Password.Length == 0)
        {
            violations.Add("password", "must not be empty");
        }

        violations.ThrowIfAny();
        var verified = await credentials.VerifyPasswordAsync(
            new VerifyPasswordRequest { Email = request.Email, Password = request.Password },
            deadline: Deadline(),
            cancellationToken: context.CancellationToken);

        var grant = await sessions.CreateAsync(verified.UserId, ClientInfo(context), context.CancellationToken);
        return new Session
        {
            Token = grant.Token,
            UserId = grant.UserId,
            ExpiresAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(grant.ExpiresAt),
        };
    }

    public override async Task<Google.Protobuf.WellKnownTypes.Empty> Logout(LogoutRequest request, ServerCallContext context)
    {
        // The session middleware admitted this call, so the caller is known.
        var caller = GatewayCaller.Of(context.GetHttpContext())
            ?? throw new UnauthenticatedException("MISSING_TOKEN", "This call needs a session.");
        await sessions.RevokeAsync(caller.SessionToken, context.CancellationToken);
        return new Google.Protobuf.WellKnownTypes.Empty();
    }

    private DateTime Deadline() => DateTime.UtcNow.Add(addresses.Value.CallTimeout);

    private static string ClientInfo(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        return $"{http.Connection.RemoteIpAddress}; {http.Request.Headers.UserAgent}";
    }
}
