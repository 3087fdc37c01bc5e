using Mesh.ServiceDefaults.Errors;
using Mesh.Users.Credit;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Mesh.Users.Accounts;

/// <summary>Registration and password checks. Passwords only ever reach the hasher.</summary>
public sealed partial class AccountService(
    UserAccountStore store, IPasswordHasher<UserAccount> hasher, IOptions<CreditOptions> credit, ILogger<AccountService> logger)
{
    private static readonly UserAccount Nobody = new("", "", "", "");

    // Verified when the email is unknown, so that both failures cost one hash and look alike.
    private readonly Lazy<string> _decoyHash = new(() => hasher.HashPassword(Nobody, Guid.NewGuid().ToString()));

    public async Task<UserAccount> RegisterAsync(RegistrationRequest request)
    {
        var userId = $"usr_{Guid.CreateVersion7():N}";
        var account = new UserAccount(userId, request.Email, request.DisplayName, "", credit.Value.DefaultCreditLimitCents);
        account = account with { PasswordHash = hasher.HashPassword(account, request.Password) };
        if (!await store.TryCreateAsync(account))
        {
            throw ResourceException.AlreadyExists("user", request.Email);
        }

        await store.IndexAsync(account);
        LogRegistered(userId);
        return account;
    }

    public async Task<UserAccount> VerifyAsync(string email, string password)
    {
        var account = await store.FindByEmailAsync(RegistrationRequest.NormalizeEmail(email));
        var verdict = hasher.VerifyHashedPassword(account ?? Nobody, account?.PasswordHash ?? _decoyHash.Value, password);
        if (account is null || verdict == PasswordVerificationResult.Failed)
        {
            throw new UnauthenticatedException("INVALID_CREDENTIALS", "The email or password is incorrect.");
        }

        await store.IndexAsync(account);
        return account;
    }

    public async Task ChangePasswordAsync(string userId, string currentPassword, string newPassword)
    {
        var account = await store.FindByIdAsync(userId) ?? throw ResourceException.NotFound("user", userId);
        if (hasher.VerifyHashedPassword(account, account.PasswordHash, currentPassword) == PasswordVerificationResult.Failed)
        {
            throw new PermissionDeniedException("WRONG_CURRENT_PASSWORD", "The current password is incorrect.");
        }

        if (!await store.ReplacePasswordHashAsync(account, hasher.HashPassword(account, newPassword)))
        {
            throw new PermissionDeniedException("PASSWORD_CHANGED_CONCURRENTLY", "The password was changed meanwhile; try again.");
        }

        LogPasswordChanged(userId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Password changed for user {UserId}")]
    private partial void LogPasswordChanged(string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered user {UserId}")]
    private partial void LogRegistered(string userId);
}
