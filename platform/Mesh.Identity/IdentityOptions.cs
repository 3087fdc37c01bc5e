namespace Mesh.Identity;

/// <summary>
/// Section <c>Identity</c>: this process's certificate and key (PEM files) and the trust bundle of
/// the mesh CA. The files are read again when they change, so a renewed certificate is used
/// without a restart (cert-manager renews them in Kubernetes).
/// </summary>
public sealed class IdentityOptions
{
    public const string SectionName = "Identity";

    public string TrustDomain { get; set; } = "mesh.local";

    /// <summary>PEM certificate whose URI SAN is this workload's SPIFFE id (may carry intermediates after it).</summary>
    public string CertificateFile { get; set; } = "";

    /// <summary>PEM private key of <see cref="CertificateFile"/>.</summary>
    public string KeyFile { get; set; } = "";

    /// <summary>PEM certificates of the mesh CA(s): peers must chain to one of them.</summary>
    public string TrustBundleFile { get; set; } = "";

    /// <summary>
    /// No TLS between components and no caller checks: every peer is believed, as before workload
    /// identity existed. For measuring what mutual TLS costs, never for a deployment.
    /// </summary>
    public bool Insecure { get; set; }

    /// <summary>How often the files are checked for changes besides the file watcher (Kubernetes swaps them by symlink).</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured =>
        CertificateFile.Length > 0 && KeyFile.Length > 0 && TrustBundleFile.Length > 0;
}
