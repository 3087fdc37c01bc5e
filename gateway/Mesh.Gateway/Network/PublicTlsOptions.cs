namespace Mesh.Gateway.Network;

/// <summary>
/// Section <c>PublicTls</c>: the certificate of the gateway's public port (PEM files), for clients
/// outside the mesh; reloaded when the files change. Unset, the port must be plain (<c>http://</c>,
/// as <c>./mesh.sh up</c> runs it on loopback).
/// </summary>
public sealed class PublicTlsOptions
{
    public const string SectionName = "PublicTls";

    public string CertificateFile { get; set; } = "";

    public string KeyFile { get; set; } = "";

    public bool IsConfigured => CertificateFile.Length > 0 && KeyFile.Length > 0;
}
