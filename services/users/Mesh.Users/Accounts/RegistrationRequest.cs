using System.Net.Mail;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Users.Accounts;

/// <summary>A registration that passed validation; the email is normalised (trimmed, lower case).</summary>
public sealed record RegistrationRequest(string Email, string Password, string DisplayName)
{
    public static RegistrationRequest Validate(string email, string password, string displayName)
    {
        var violations = new FieldViolations();
        var normalized = NormalizeEmail(email);
        if (normalized.Length == 0)
        {
            violations.Add("email", "must not be empty");
        }
        else if (normalized.Length > 254 || !MailAddress.TryCreate(normalized, out var parsed) || parsed.Address != normalized)
        {
            violations.Add("email", "must be a valid email address");
        }

        violations.RequireValidPassword("password", password);
        violations.RequireText("display_name", displayName, 100);
        violations.ThrowIfAny();
        return new RegistrationRequest(normalized, password, displayName.Trim());
    }

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();
}
