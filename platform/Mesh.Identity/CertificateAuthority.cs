using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Identity;

/// <summary>
/// A mesh CA that issues workload certificates: an ECDSA P-256 key pair each, the SPIFFE id as
/// URI SAN, the workload name as common name (what Kafka maps to its principal), usable for TLS
/// servers and clients alike. For local runs, tests and Compose; Kubernetes issues the same shape
/// with cert-manager.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private CertificateAuthority(X509Certificate2 certificate, string trustDomain)
    {
        Certificate = certificate;
        TrustDomain = trustDomain;
    }

    public X509Certificate2 Certificate { get; }

    public string TrustDomain { get; }

    public static CertificateAuthority Create(string trustDomain, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=Mesh CA ({trustDomain}), O=Mesh", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new CertificateAuthority(request.CreateSelfSigned(now.AddMinutes(-5), now.Add(validity)), trustDomain);
    }

    public static CertificateAuthority Load(string certificateFile, string keyFile, string trustDomain) =>
        new(X509Certificate2.CreateFromPemFile(certificateFile, keyFile), trustDomain);

    /// <summary>
    /// A certificate for <paramref name="workload"/>, with <paramref name="dnsNames"/> and
    /// <paramref name="addresses"/> as further SANs for clients that check host names (Kafka's).
    /// </summary>
    public X509Certificate2 Issue(string workload, TimeSpan validity, IEnumerable<string>? dnsNames = null, IEnumerable<IPAddress>? addresses = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={workload}, O=Mesh", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new WorkloadId(TrustDomain, workload).Uri);
        foreach (var dns in dnsNames ?? [])
        {
            names.AddDnsName(dns);
        }

        foreach (var address in addresses ?? [])
        {
            names.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication"), new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));

        var now = DateTimeOffset.UtcNow;
        var notAfter = now.Add(validity) < Certificate.NotAfter ? now.Add(validity) : Certificate.NotAfter;
        using var issued = request.Create(Certificate, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes <c>ca.pem</c> (the trust bundle) and <c>ca.key</c> (readable by the owner only).</summary>
    public void WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        Pem.Write(Path.Combine(directory, "ca.pem"), Certificate.ExportCertificatePem(), secret: false);
        Pem.Write(Path.Combine(directory, "ca.key"), Certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), secret: true);
    }

    public void Dispose() => Certificate.Dispose();
}
