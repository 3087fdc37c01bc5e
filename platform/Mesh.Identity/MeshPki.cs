namespace Mesh.Identity;

/// <summary>
/// A mesh CA and a certificate for every workload, written into one folder: <c>ca.pem</c> (the
/// trust bundle), <c>ca.key</c>, and <c>&lt;name&gt;.pem</c> with <c>&lt;name&gt;.key</c>. What
/// <c>./mesh.sh up</c>, Compose's mesh-init, the tests and the benchmarks run with.
/// </summary>
public static class MeshPki
{
    /// <summary>
    /// Creates the CA and issues <see cref="Workloads.All"/> plus the names of <paramref name="dnsNames"/>
    /// (each with those DNS names as further SANs). Returns the CA, to issue more with.
    /// </summary>
    public static CertificateAuthority Create(
        string directory, string trustDomain, TimeSpan validity, IReadOnlyDictionary<string, string[]>? dnsNames = null)
    {
        var authority = CertificateAuthority.Create(trustDomain, validity * 10);
        authority.WriteTo(directory);
        foreach (var workload in Workloads.All.Concat(dnsNames?.Keys ?? []).Distinct(StringComparer.Ordinal))
        {
            using var certificate = authority.Issue(workload, validity, dnsNames?.GetValueOrDefault(workload));
            Pem.WriteIdentity(directory, workload, certificate);
        }

        return authority;
    }

    /// <summary>The settings that give a process the certificate of <paramref name="workload"/> from <paramref name="directory"/>.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentFor(string directory, string workload, string trustDomain) =>
        new Dictionary<string, string>
        {
            ["Identity__TrustDomain"] = trustDomain,
            ["Identity__CertificateFile"] = Path.Combine(directory, $"{workload}.pem"),
            ["Identity__KeyFile"] = Path.Combine(directory, $"{workload}.key"),
            ["Identity__TrustBundleFile"] = Path.Combine(directory, "ca.pem"),
        };
}
