using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Identity;

/// <summary>Kestrel's HTTPS endpoints as mesh servers: this workload's current certificate, and (for internal ports) the caller's.</summary>
public static class MeshServerTls
{
    /// <summary>
    /// Every HTTPS endpoint serves the current certificate of the registered <see cref="CertificateSource"/>.
    /// With <paramref name="requireClientCertificate"/>, a client must present a certificate that
    /// chains to the mesh CA and names a SPIFFE id of the trust domain, or the handshake fails.
    /// </summary>
    public static void Configure(KestrelServerOptions kestrel, bool requireClientCertificate) =>
        kestrel.ConfigureHttpsDefaults(https =>
        {
            // Resolved when an endpoint binds, after the container is built.
            var source = kestrel.ApplicationServices.GetRequiredService<CertificateSource>();
            https.SslProtocols = MeshTls.Protocols;
            https.ServerCertificateSelector = (_, _) => source.Certificate;
            if (requireClientCertificate)
            {
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (certificate, chain, errors) =>
                    source.Bundle.Verify(certificate, chain, out _) is not null;
            }
        });
}
