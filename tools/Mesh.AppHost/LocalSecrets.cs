using Mesh.Identity;

namespace Mesh.AppHost;

/// <summary>
/// The production mechanisms with local secrets: a throw-away mesh CA with a certificate per
/// workload, a password per Redis ACL user with redis-server's ACL file, and the sidecar's
/// development app token. Made at start, deleted at stop, never committed.
/// </summary>
internal sealed class LocalSecrets(LocalMesh mesh)
{
    public const string SidecarApp = "dev";

    /// <summary>SHA-256 of the sidecar token: what the sidecar is configured with.</summary>
    public string SidecarTokenSha256 { get; private set; } = "";

    public string RedisAclFile => Path.Combine(mesh.RedisSecretDirectory, "users.acl");

    public string RedisPasswordFile(string user) => Path.Combine(mesh.RedisSecretDirectory, $"{user}.password");

    public void Create()
    {
        MeshPki.Create(mesh.CertificateDirectory, mesh.TrustDomain, TimeSpan.FromDays(1)).Dispose();

        DevSecrets.WriteRedisUsers(mesh.RedisSecretDirectory, RedisAccess.Users.ToDictionary(user => user.Name, _ => DevSecrets.NewPassword(), StringComparer.Ordinal));
        SidecarTokenSha256 = DevSecrets.WriteAppToken(mesh.SidecarTokenFile);
    }

    /// <summary>The certificates, passwords and token go with the mesh they were made for.</summary>
    public void Delete()
    {
        foreach (var directory in new[] { mesh.CertificateDirectory, Path.GetDirectoryName(mesh.RedisSecretDirectory)! })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        File.Delete(mesh.SidecarTokenFile);
    }

    /// <summary>The settings that give a process its workload certificate.</summary>
    public IReadOnlyDictionary<string, string> IdentityFor(string workload) =>
        MeshPki.EnvironmentFor(mesh.CertificateDirectory, workload, mesh.TrustDomain);
}
