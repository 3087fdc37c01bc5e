namespace Mesh.Users.Accounts;

/// <summary>A user as stored. <see cref="PasswordHash"/> is the hasher's output, never the password.</summary>
public sealed record UserAccount(string UserId, string Email, string DisplayName, string PasswordHash);
