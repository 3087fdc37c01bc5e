using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Identity;

/// <summary>
/// This workload's certificate and the mesh's trust bundle, from the files of
/// <see cref="IdentityOptions"/>, read again whenever they change (<see cref="WatchedFiles{T}"/>). New
/// TLS handshakes use the new certificate; open connections keep theirs.
/// </summary>
public sealed partial class CertificateSource : IDisposable
{
    private readonly WatchedFiles<Loaded> _files;

    public CertificateSource(IOptions<IdentityOptions> options, ILogger<CertificateSource> logger)
    {
        var settings = options.Value;
        if (!settings.IsConfigured)
        {
            throw new InvalidOperationException(
                "Identity:CertificateFile, Identity:KeyFile and Identity:TrustBundleFile must name this workload's certificate, its key and the mesh CA bundle.");
        }

        _files = new WatchedFiles<Loaded>(
            [settings.CertificateFile, settings.KeyFile, settings.TrustBundleFile], () => Load(settings), settings.ReloadInterval, logger);
        _files.Reloaded += loaded => LogLoaded(logger, loaded.Self.ToString(), loaded.Certificate.NotAfter);
        LogLoaded(logger, Self.ToString(), Certificate.NotAfter);
    }

    /// <summary>This workload's certificate, with its private key.</summary>
    public X509Certificate2 Certificate => _files.Current.Certificate;

    public TrustBundle Bundle => _files.Current.Bundle;

    /// <summary>Who this process is, read from its own certificate.</summary>
    public WorkloadId Self => _files.Current.Self;

    /// <summary>Checks the files now instead of waiting for the watcher.</summary>
    public void Reload() => _files.Reload();

    public void Dispose() => _files.Dispose();

    private static Loaded Load(IdentityOptions options)
    {
        var certificate = X509Certificate2.CreateFromPemFile(options.CertificateFile, options.KeyFile);
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(options.TrustBundleFile);
        if (roots.Count == 0)
        {
            throw new InvalidOperationException($"{options.TrustBundleFile} holds no certificate.");
        }

        var bundle = new TrustBundle(roots, options.TrustDomain);
        var self = bundle.Verify(certificate, null, out var problem)
            ?? throw new InvalidOperationException($"{options.CertificateFile} is not a certificate of this mesh: {problem}.");
        return new Loaded(certificate, bundle, self);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workload identity {Workload}: certificate valid until {NotAfter:u}")]
    private static partial void LogLoaded(ILogger logger, string workload, DateTime notAfter);

    private sealed record Loaded(X509Certificate2 Certificate, TrustBundle Bundle, WorkloadId Self);
}
