using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Identity;

/// <summary>Certificate chains built against given roots only (a private CA), never the machine's store.</summary>
public static class CustomRoots
{
    /// <summary>True when <paramref name="certificate"/> chains to one of <paramref name="roots"/> and is valid now.</summary>
    public static bool Chains(X509Certificate2 certificate, X509Certificate2Collection roots, X509Chain? presented = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }

    /// <summary>
    /// A TLS server check against <paramref name="roots"/>: the host name must match (the system's
    /// check), and only an untrusted root is forgiven when the chain leads to one of them.
    /// </summary>
    public static bool ValidateServer(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots) =>
        certificate is X509Certificate2 presented
        && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
        && Chains(presented, roots);

    public static X509Certificate2Collection Load(string pemFile)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(pemFile);
        return roots;
    }
}
