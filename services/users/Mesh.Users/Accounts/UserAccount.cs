namespace Mesh.Users.Accounts;

/// <summary>
/// A user as stored. <see cref="PasswordHash"/> is the hasher's output, never the password.
/// <see cref="CreditLimitCents"/> is null for accounts stored before credit limits existed.
/// </summary>
public sealed record UserAccount(string UserId, string Email, string DisplayName, string PasswordHash, long? CreditLimitCents = null);
