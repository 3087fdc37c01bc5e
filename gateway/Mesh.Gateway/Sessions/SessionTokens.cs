using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Mesh.Gateway.Sessions;

/// <summary>
/// 256 random bits per token. Redis only ever sees the token's SHA-256, which doubles as the
/// session id a user can list and revoke: knowing it does not let anyone authenticate.
/// </summary>
internal static class SessionTokens
{
    public static string NewToken() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string IdOf(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The hash tag keeps each session in one Cluster slot.</summary>
    public static string KeyOf(string sessionId) => $"sessions:{{{sessionId}}}";

    /// <summary>The set of a user's session ids, so they can be listed and revoked together.</summary>
    public static string IndexOf(string userId) => $"sessions:user:{{{userId}}}";
}
