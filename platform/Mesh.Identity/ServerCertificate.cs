using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Mesh.Identity;

/// <summary>A TLS server certificate for clients outside the mesh (the gateway's public port), from PEM files, reloaded when they change.</summary>
public sealed class ServerCertificate(string certificateFile, string keyFile, TimeSpan checkEvery, ILogger logger) : IDisposable
{
    private readonly WatchedFiles<X509Certificate2> _files = new(
        [certificateFile, keyFile], () => X509Certificate2.CreateFromPemFile(certificateFile, keyFile), checkEvery, logger);

    public X509Certificate2 Current => _files.Current;

    public void Dispose() => _files.Dispose();
}
