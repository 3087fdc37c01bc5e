using Grpc.Core;
using Mesh.Contracts.Internal.V1;
using Mesh.ServiceDefaults.Errors;
using Mesh.Users.Accounts;

namespace Mesh.Users.Grpc;

/// <summary>Internal: the gateway checks a password here before it opens a session.</summary>
public sealed class CredentialsGrpcService(AccountService accounts) : Credentials.CredentialsBase
{
    public override async Task<VerifyPasswordResponse> VerifyPassword(VerifyPasswordRequest request, ServerCallContext context)
    {
        new FieldViolations()
            .RequireText("email", request.Email, 254)
            .RequirePresentedPassword("password", request.Password)
            .ThrowIfAny();
        var account = await accounts.VerifyAsync(request.Email, request.Password, context.CancellationToken);
        return new VerifyPasswordResponse { UserId = account.UserId };
    }

    public override async Task<ChangePasswordResponse> ChangePassword(ChangePasswordRequest request, ServerCallContext context)
    {
        new FieldViolations()
            .RequireText("user_id", request.UserId, 64)
            .RequirePresentedPassword("current_password", request.CurrentPassword)
            .RequireValidPassword("new_password", request.NewPassword)
            .ThrowIfAny();
        await accounts.ChangePasswordAsync(request.UserId, request.CurrentPassword, request.NewPassword, context.CancellationToken);
        return new ChangePasswordResponse();
    }
}
