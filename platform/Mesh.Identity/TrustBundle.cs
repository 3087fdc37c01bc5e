using System.Security.Cryptography.X509Certificates;

namespace Mesh.Identity;

/// <summary>
/// The mesh CA certificates a peer must chain to, and the check itself: the chain is built against
/// them alone (the machine's own roots play no part), the leaf must be valid now and carry exactly
/// one SPIFFE id of this trust domain.
/// </summary>
public sealed class TrustBundle(X509Certificate2Collection roots, string trustDomain)
{
    public X509Certificate2Collection Roots { get; } = roots;

    public string TrustDomain { get; } = trustDomain;

    /// <summary>The peer's workload id when <paramref name="certificate"/> is a valid mesh certificate; null otherwise.</summary>
    public WorkloadId? Verify(X509Certificate2 certificate, X509Chain? presented, out string problem)
    {
        if (!CustomRoots.Chains(certificate, Roots, presented))
        {
            problem = "the certificate does not chain to the mesh CA, or is not valid now";
            return null;
        }

        var id = CertificateNames.WorkloadOf(certificate);
        if (id is null)
        {
            problem = "the certificate names no single SPIFFE id";
            return null;
        }

        if (!string.Equals(id.TrustDomain, TrustDomain, StringComparison.Ordinal))
        {
            problem = $"{id} is not of the trust domain {TrustDomain}";
            return null;
        }

        problem = "";
        return id;
    }
}
