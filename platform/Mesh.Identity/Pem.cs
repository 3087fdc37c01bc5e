using System.Security.Cryptography.X509Certificates;

namespace Mesh.Identity;

/// <summary>Writes certificates and keys as PEM files; keys readable by their owner only.</summary>
public static class Pem
{
    /// <summary>Writes <c>&lt;name&gt;.pem</c> and <c>&lt;name&gt;.key</c> for <paramref name="certificate"/> into <paramref name="directory"/>.</summary>
    public static (string Certificate, string Key) WriteIdentity(string directory, string name, X509Certificate2 certificate)
    {
        Directory.CreateDirectory(directory);
        var certificateFile = Path.Combine(directory, $"{name}.pem");
        var keyFile = Path.Combine(directory, $"{name}.key");
        var key = (System.Security.Cryptography.AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new InvalidOperationException($"The certificate of {name} has no private key.");
        // Key first: a watcher that sees the new certificate must find its key already there.
        Write(keyFile, key.ExportPkcs8PrivateKeyPem(), secret: true);
        Write(certificateFile, certificate.ExportCertificatePem(), secret: false);
        return (certificateFile, keyFile);
    }

    /// <summary>Writes to a temporary file and renames it over the target, so a reader never sees half a file.</summary>
    public static void Write(string path, string pem, bool secret)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, pem + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, secret ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
