using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Identity;

/// <summary>The TLS settings of mesh connections, for clients and servers alike.</summary>
public static class MeshTls
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// Client side: presents this workload's current certificate and accepts only a server whose
    /// certificate chains to the mesh CA and names <paramref name="expectedServer"/> (any mesh
    /// workload when null). Host names play no part: the SPIFFE id is the server's name.
    /// </summary>
    public static SslClientAuthenticationOptions ClientOptions(CertificateSource source, string? expectedServer) => new()
    {
        EnabledSslProtocols = Protocols,
        LocalCertificateSelectionCallback = (_, _, _, _, _) => source.Certificate,
        RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            certificate is X509Certificate2 presented
            && source.Bundle.Verify(presented, chain, out _) is { } server
            && (expectedServer is null || server.Name == expectedServer),
    };

    /// <summary>
    /// A handler for HTTP/2 calls to mesh servers. Connections are renewed every few minutes, so a
    /// rotated certificate reaches every peer soon without dropping a call in flight.
    /// </summary>
    public static SocketsHttpHandler ClientHandler(CertificateSource source, string? expectedServer) => new()
    {
        SslOptions = ClientOptions(source, expectedServer),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        EnableMultipleHttp2Connections = true,
        KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
    };
}
