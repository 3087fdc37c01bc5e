using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.Users.Accounts;

namespace Mesh.Users.Grpc;

/// <summary>mesh.v1.Auth/Register, forwarded by the gateway. Login and Logout belong to the gateway.</summary>
public sealed class RegistrationGrpcService(AccountService accounts) : Auth.AuthBase
{
    public override async Task<User> Register(RegisterRequest request, ServerCallContext context)
    {
        var valid = RegistrationRequest.Validate(request.Email, request.Password, request.DisplayName);
        var account = await accounts.RegisterAsync(valid, context.CancellationToken);
        return new User { UserId = account.UserId, Email = account.Email, DisplayName = account.DisplayName };
    }
}
