using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Mesh.Sidecar.Apps;

/// <summary>Which app a token belongs to, by comparing its SHA-256 with the configured ones in constant time.</summary>
public sealed class AppTokens(IOptionsMonitor<SidecarAppsOptions> options)
{
    // The configured hashes, decoded once per version of the options (a reload makes a new instance).
    private Decoded? _decoded;

    public string? AppOf(string token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        string? found = null;
        foreach (var (app, expected) in Hashes())
        {
            // Every configured hash is compared, so the time taken says nothing about which matched.
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found = app;
            }
        }

        return found;
    }

    private (string App, byte[] Hash)[] Hashes()
    {
        var current = options.CurrentValue;
        if (Volatile.Read(ref _decoded) is { } decoded && ReferenceEquals(decoded.Options, current))
        {
            return decoded.Hashes;
        }

        var hashes = current.Apps.Select(a => (a.Key, Convert.FromHexString(a.Value.TokenSha256))).ToArray();
        Volatile.Write(ref _decoded, new Decoded(current, hashes));
        return hashes;
    }

    private sealed record Decoded(SidecarAppsOptions Options, (string App, byte[] Hash)[] Hashes);
}
