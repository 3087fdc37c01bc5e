using System.Security.Cryptography;
using System.Text;
using Mesh.Coordination.Quotas;
using Mesh.Coordination.Quotas.Configuration;
using Mesh.Gateway.Quotas;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Gateway.Admission;

/// <summary>
/// Slows password guessing against one account from many addresses: every Login or Register
/// naming an email charges the <c>PerEmail</c> policy's bucket for that email (keyed by its hash,
/// so no address sits in Redis). The per-address bucket is charged by the quota middleware as for any call.
/// </summary>
public sealed class CredentialQuota(IQuotaEngine engine, QuotaPolicySource policies)
{
    public async Task ChargeAsync(string email, string method, CancellationToken cancellationToken)
    {
        var set = policies.Current;
        if (!set.Enabled)
        {
            return;
        }

        var normalized = email.Trim().ToLowerInvariant();
        var subject = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)))[..32];
        var descriptor = new QuotaDescriptor(GatewayQuotaDescriptor.Scope, [new(CredentialQuotaKeys.Email, subject), new("method", method)]);
        var charge = new QuotaCharge(set.PerEmail.KeyFor(descriptor), set.PerEmail.Policy, set.PerEmail.Policy.Cost);
        var verdict = await engine.DecideAsync([charge], cancellationToken);
        switch (verdict.Outcome)
        {
            case QuotaOutcome.Rejected:
                throw new QuotaExceededException(charge.Policy, verdict.Decisions[0], $"{method} for this email");
            case QuotaOutcome.FailedClosed:
                throw new UnavailableException("Quotas cannot be checked right now; try again shortly.", verdict.Decisions[0].RetryAfter);
        }
    }
}
