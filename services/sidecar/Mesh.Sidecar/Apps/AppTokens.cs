using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Mesh.Sidecar.Apps;

/// <summary>
/// Which app a token belongs to, by comparing its SHA-256 with the configured ones in constant
/// time. A connection remembers the last token it proved (in the connection's own items, gone
/// with it), so the many calls an app multiplexes over one HTTP/2 connection pay the hash once:
/// a later call on that connection with the same token is compared with it in constant time, and
/// one with any other token is hashed and checked again.
/// </summary>
public sealed class AppTokens(IOptionsMonitor<SidecarAppsOptions> options)
{
    private static readonly object ConnectionKey = new();

    // The configured hashes, decoded once per version of the options (a reload makes a new instance).
    private Decoded? _decoded;

    /// <param name="connectionItems">The connection's items, where the token it last proved is kept; <c>null</c> to check without remembering.</param>
    public string? AppOf(string token, IDictionary<object, object?>? connectionItems)
    {
        var decoded = Current();
        var proved = connectionItems is null ? null : Proved(connectionItems);
        if (proved is not null && ReferenceEquals(proved.Version, decoded) && SameToken(proved.Token, token))
        {
            return proved.App;
        }

        var app = Hash(token, decoded);
        if (app is not null && connectionItems is not null)
        {
            lock (connectionItems)
            {
                connectionItems[ConnectionKey] = new ProvedToken(decoded, token, app);
            }
        }

        return app;
    }

    private static ProvedToken? Proved(IDictionary<object, object?> connectionItems)
    {
        // The streams of one HTTP/2 connection run at the same time; its items are a plain dictionary.
        lock (connectionItems)
        {
            return connectionItems.TryGetValue(ConnectionKey, out var value) ? value as ProvedToken : null;
        }
    }

    private static bool SameToken(string proved, string presented) =>
        CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(proved.AsSpan()), MemoryMarshal.AsBytes(presented.AsSpan()));

    private static string? Hash(string token, Decoded decoded)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        string? found = null;
        foreach (var (app, expected) in decoded.Hashes)
        {
            // Every configured hash is compared, so the time taken says nothing about which matched.
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found = app;
            }
        }

        return found;
    }

    private Decoded Current()
    {
        var current = options.CurrentValue;
        if (Volatile.Read(ref _decoded) is { } decoded && ReferenceEquals(decoded.Options, current))
        {
            return decoded;
        }

        var fresh = new Decoded(current, current.Apps.Select(a => (a.Key, Convert.FromHexString(a.Value.TokenSha256))).ToArray());
        Volatile.Write(ref _decoded, fresh);
        return fresh;
    }

    private sealed record Decoded(SidecarAppsOptions Options, (string App, byte[] Hash)[] Hashes);

    /// <summary>A token a connection proved, valid while the options it was proved against are current.</summary>
    private sealed record ProvedToken(Decoded Version, string Token, string App);
}
