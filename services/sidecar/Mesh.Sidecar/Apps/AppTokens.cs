using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Mesh.Sidecar.Apps;

/// <summary>Which app a token belongs to, by comparing its SHA-256 with the configured ones in constant time.</summary>
public sealed class AppTokens(IOptionsMonitor<SidecarAppsOptions> options)
{
    public string? AppOf(string token)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        string? found = null;
        foreach (var (app, settings) in options.CurrentValue.Apps)
        {
            // Every configured hash is compared, so the time taken says nothing about which matched.
            if (CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(settings.TokenSha256)))
            {
                found = app;
            }
        }

        return found;
    }
}
