using Mesh.ServiceDefaults.Errors;

namespace Mesh.Users.Accounts;

/// <summary>What a new password must be. The message never repeats the password.</summary>
public static class PasswordRules
{
    public const int MinLength = 8;
    public const int MaxLength = 128;

    public static FieldViolations RequireValidPassword(this FieldViolations violations, string field, string password) =>
        password.Length is < MinLength or > MaxLength
            ? violations.Add(field, $"must be {MinLength} to {MaxLength} characters")
            : violations;
}
