using Mesh.ServiceDefaults.Errors;
using Mesh.Users.Credit;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Mesh.Users.Accounts;

/// <summary>Registration and password checks. Passwords only ever reach the hasher.</summary>
public sealed partial class AccountService(
    UserAccountStore store, PasswordWork passwords, IOptions<CreditOptions> credit, ILogger<AccountService> logger)
{
    /// <summary>
    /// Creates the account, or, when the email is taken, answers as if it had: a fresh user id that
    /// nothing stores, after the same hashing work. Login answers alike for an unknown email and a
    /// wrong password; Register must not tell taken emails apart either. The owner of the email
    /// keeps their account and password untouched.
    /// </summary>
    public async Task<UserAccount> RegisterAsync(RegistrationRequest request, CancellationToken cancellationToken)
    {
        var userId = NewUserId();
        var account = new UserAccount(userId, request.Email, request.DisplayName, "", credit.Value.DefaultCreditLimitCents);
        account = account with { PasswordHash = await passwords.HashAsync(account, request.Password, cancellationToken) };
        if (!await store.TryCreateAsync(account))
        {
            LogTakenEmail();
            return account with { UserId = NewUserId(), PasswordHash = "" };
        }

        await store.IndexAsync(account);
        LogRegistered(userId);
        return account;
    }

    public async Task<UserAccount> VerifyAsync(string email, string password, CancellationToken cancellationToken)
    {
        var account = await store.FindByEmailAsync(RegistrationRequest.NormalizeEmail(email));
        if (account is null)
        {
            await passwords.VerifyDecoyAsync(password, cancellationToken);
            throw InvalidCredentials();
        }

        if (await passwords.VerifyAsync(account, account.PasswordHash, password, cancellationToken) == PasswordVerificationResult.Failed)
        {
            throw InvalidCredentials();
        }

        await store.IndexAsync(account);
        return account;
    }

    public async Task ChangePasswordAsync(string userId, string currentPassword, string newPassword, CancellationToken cancellationToken)
    {
        var account = await store.FindByIdAsync(userId) ?? throw ResourceException.NotFound("user", userId);
        if (await passwords.VerifyAsync(account, account.PasswordHash, currentPassword, cancellationToken) == PasswordVerificationResult.Failed)
        {
            throw new PermissionDeniedException("WRONG_CURRENT_PASSWORD", "The current password is incorrect.");
        }

        if (!await store.ReplacePasswordHashAsync(account, await passwords.HashAsync(account, newPassword, cancellationToken)))
        {
            throw new PermissionDeniedException("PASSWORD_CHANGED_CONCURRENTLY", "The password was changed meanwhile; try again.");
        }

        LogPasswordChanged(userId);
    }

    private static string NewUserId() => $"usr_{Guid.CreateVersion7():N}";

    private static UnauthenticatedException InvalidCredentials() =>
        new("INVALID_CREDENTIALS", "The email or password is incorrect.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Password changed for user {UserId}")]
    private partial void LogPasswordChanged(string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered user {UserId}")]
    private partial void LogRegistered(string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registration for an email that has an account: answered without creating one")]
    private partial void LogTakenEmail();
}
