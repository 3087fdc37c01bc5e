using Mesh.ServiceDefaults.Errors;

namespace Mesh.Users.Accounts;

/// <summary>What a new password must be. The message never repeats the password.</summary>
public static class PasswordRules
{
    public const int MinLength = 8;
    public const int MaxLength = 128;

    /// <summary>A password offered for checking: present, and no longer than any password can be (never hashed otherwise).</summary>
    public static FieldViolations RequirePresentedPassword(this FieldViolations violations, string field, string password) =>
        password.Length switch
        {
            0 => violations.Add(field, "must not be empty"),
            > MaxLength => violations.Add(field, $"must be at most {MaxLength} characters"),
            _ => violations,
        };

    public static FieldViolations RequireValidPassword(this FieldViolations violations, string field, string password) =>
        password.Length is < MinLength or > MaxLength
            ? violations.Add(field, $"must be {MinLength} to {MaxLength} characters")
            : violations;
}
