using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Mesh.Coordination.Sessions;

/// <summary>256 random bits per token; Redis only ever sees their SHA-256.</summary>
internal static class SessionTokens
{
    public static string NewToken() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>The Redis key of a token; the hash tag keeps a session's keys in one Cluster slot.</summary>
    public static string KeyOf(string token) =>
        $"sessions:{{{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))}}}";
}
