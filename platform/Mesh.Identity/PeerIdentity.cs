using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;

namespace Mesh.Identity;

/// <summary>
/// The workload at the other end of a request's TLS connection. The handshake has verified its
/// certificate against the mesh CA already (<see cref="MeshServerTls"/>); this only reads the name,
/// once per certificate.
/// </summary>
public static class PeerIdentity
{
    private static readonly ConditionalWeakTable<X509Certificate2, WorkloadId> Names = new();

    public static WorkloadId? Of(HttpContext context)
    {
        if (context.Connection.ClientCertificate is not { } certificate)
        {
            return null;
        }

        if (Names.TryGetValue(certificate, out var known))
        {
            return known;
        }

        var id = CertificateNames.WorkloadOf(certificate);
        if (id is not null)
        {
            Names.AddOrUpdate(certificate, id);
        }

        return id;
    }
}
