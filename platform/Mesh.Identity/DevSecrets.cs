using System.Security.Cryptography;
using System.Text;

namespace Mesh.Identity;

/// <summary>
/// Secrets made on the spot for a local or test mesh (<c>./mesh.sh up</c>, Compose's mesh-init,
/// the CLI): random Redis passwords with redis-server's ACL file, and sidecar app tokens. Every
/// secret file is readable by its owner only; what others read holds hashes.
/// </summary>
public static class DevSecrets
{
    public static string NewPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    /// <summary>Writes <c>&lt;user&gt;.password</c> for each of <see cref="RedisAccess.Users"/> and <c>users.acl</c>.</summary>
    public static void WriteRedisUsers(string directory, IReadOnlyDictionary<string, string> passwords)
    {
        Directory.CreateDirectory(directory);
        foreach (var user in RedisAccess.Users)
        {
            Pem.Write(Path.Combine(directory, $"{user.Name}.password"), passwords[user.Name], secret: true);
        }

        // SHA-256 of random passwords only: readable by redis-server, which may run as another user.
        Pem.Write(Path.Combine(directory, "users.acl"), RedisAccess.AclFile(passwords).TrimEnd(), secret: false);
    }

    /// <summary>Writes a new sidecar app token to <paramref name="file"/>; returns its SHA-256, what the sidecar is configured with.</summary>
    public static string WriteAppToken(string file)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        Pem.Write(file, token, secret: true);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }
}
