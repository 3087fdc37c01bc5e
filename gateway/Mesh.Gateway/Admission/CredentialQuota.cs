using System.Security.Cryptography;
using System.Text;
using Mesh.Coordination.Quotas;
using Mesh.Gateway.Quotas;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Admission;

/// <summary>
/// Slows password guessing against one account from many addresses: every Login or Register
/// naming an email charges that email's bucket (keyed by its hash, so no address sits in Redis).
/// The per-address bucket is charged by the quota middleware as for any call.
/// </summary>
public sealed class CredentialQuota(ITokenBucket buckets, IOptionsMonitor<QuotaOptions> options)
{
    public async Task ChargeAsync(string email, string method, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        if (!current.Enabled)
        {
            return;
        }

        var normalized = email.Trim().ToLowerInvariant();
        var subject = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)))[..32];
        var policy = current.PerEmailPolicy;
        var decision = await buckets.TryTakeAsync($"quotas:{{email:{subject}}}:{method}", policy, 1, cancellationToken);
        if (!decision.Allowed)
        {
            throw new QuotaExceededException(policy, decision, $"{method} for this email");
        }
    }
}
