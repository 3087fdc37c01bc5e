using System.Security.Cryptography;
using System.Text;
using Mesh.Gateway.Quotas;
using Mesh.Quotas;
using Mesh.Quotas.Configuration;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Gateway.Admission;

/// <summary>
/// Slows password guessing against one account: each Login takes one token from the bucket of its
/// email and client address (<c>PerEmail</c>) and from the email's ceiling over all addresses
/// (<c>EmailCeiling</c>) before the password is checked, and gives them back unless the password was
/// wrong. So only failed attempts count, concurrent guesses cannot overshoot, and a stranger's wrong
/// passwords from another address never lock the owner out (short of the looser ceiling). Emails are
/// keyed by their hash, so no email sits in Redis.
/// </summary>
public sealed class CredentialQuota(IQuotaEngine engine, QuotaPolicySource policies)
{
    public async Task<LoginAttempt> ChargeAsync(string email, string address, CancellationToken cancellationToken)
    {
        var set = policies.Current;
        if (!set.Enabled)
        {
            return LoginAttempt.Free;
        }

        var descriptor = new QuotaDescriptor(
            GatewayQuotaDescriptor.Scope, [new(CredentialQuotaKeys.Email, EmailSubject(email)), new("ip", address)]);
        QuotaCharge[] charges =
        [
            .. new[] { set.PerEmail, set.EmailCeiling }
                .Where(rule => !rule.Unlimited)
                .Select(rule => new QuotaCharge(rule.KeyFor(descriptor), rule.Policy, rule.Policy.Cost)),
        ];
        var verdict = await engine.DecideAsync(charges, cancellationToken);
        var deciding = verdict.Deciding;
        return verdict.Outcome switch
        {
            QuotaOutcome.Rejected => throw new QuotaExceededException(
                verdict.Charges[deciding].Policy, verdict.Decisions[deciding], "failed Logins of this email"),
            QuotaOutcome.FailedClosed => throw new UnavailableException(
                "Quotas cannot be checked right now; try again shortly.", verdict.Decisions[deciding].RetryAfter),
            QuotaOutcome.Allowed => new LoginAttempt(engine, charges),
            _ => LoginAttempt.Free,
        };
    }

    private static string EmailSubject(string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())))[..32];
}
