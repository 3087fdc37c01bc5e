using Mesh.Quotas.Configuration;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Quotas;

/// <summary>
/// The gateway's reading of the shared <c>Quotas</c> section: the default bucket is per caller and
/// method, failed Logins are counted per email and address and per email, unless the
/// configuration says otherwise.
/// </summary>
public sealed class GatewayQuotaOptionsSetup : IPostConfigureOptions<QuotaOptions>
{
    public void PostConfigure(string? name, QuotaOptions options)
    {
        if (options.Default.By.Count == 0)
        {
            options.Default.By.AddRange(["subject", "method"]);
        }

        if (options.PerEmail.By.Count == 0)
        {
            options.PerEmail.By.AddRange([CredentialQuotaKeys.Email, "ip"]);
        }

        if (options.EmailCeiling.By.Count == 0)
        {
            options.EmailCeiling.By.Add(CredentialQuotaKeys.Email);
        }
    }
}
