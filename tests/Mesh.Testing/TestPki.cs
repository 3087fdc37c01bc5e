using Grpc.Net.Client;
using Mesh.Identity;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Testing;

/// <summary>
/// A throw-away mesh CA and a certificate for every workload in a temporary folder, the files
/// <c>./mesh.sh up</c> makes, so processes under test run with mutual TLS exactly as deployed.
/// </summary>
public sealed class TestPki : IDisposable
{
    public const string TrustDomain = "mesh.local";

    private readonly CertificateAuthority _authority;

    private static readonly Lazy<TestPki> SharedPki = new(() =>
    {
        var pki = new TestPki();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => pki.Dispose();
        return pki;
    });

    /// <summary>One PKI for every test of a test run that needs certificates but does not test them.</summary>
    public static TestPki Shared => SharedPki.Value;

    private readonly bool _ownsDirectory;

    public TestPki()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("mesh-pki-").FullName;
        _authority = MeshPki.Create(Directory, TrustDomain, TimeSpan.FromHours(12));
        _ownsDirectory = true;
    }

    private TestPki(string directory, CertificateAuthority authority)
    {
        Directory = directory;
        _authority = authority;
    }

    /// <summary>
    /// The mesh CA another process made in <paramref name="directory"/> (<c>ca.pem</c> and
    /// <c>ca.key</c>, as <see cref="MeshPki.Create"/> writes them), to call its workloads and renew
    /// their certificates. The folder stays its owner's.
    /// </summary>
    public static TestPki Open(string directory) => new(
        directory,
        CertificateAuthority.Load(Path.Combine(directory, "ca.pem"), Path.Combine(directory, "ca.key"), TrustDomain));

    public string Directory { get; }

    public string TrustBundleFile => Path.Combine(Directory, "ca.pem");

    /// <summary>The settings that give a process the certificate of <paramref name="workload"/>.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentFor(string workload) =>
        new Dictionary<string, string>(MeshPki.EnvironmentFor(Directory, workload, TrustDomain)) { ["Identity__ReloadInterval"] = "00:00:01" };

    /// <summary>(Re)issues <paramref name="workload"/>'s certificate into the folder, as a renewal would.</summary>
    public void Issue(string workload, TimeSpan? validity = null)
    {
        using var certificate = _authority.Issue(workload, validity ?? TimeSpan.FromHours(12));
        Pem.WriteIdentity(Directory, workload, certificate);
    }

    /// <summary>This workload's identity as a process under test would load it.</summary>
    public CertificateSource SourceFor(string workload)
    {
        var environment = EnvironmentFor(workload);
        return new CertificateSource(
            Options.Create(new IdentityOptions
            {
                TrustDomain = TrustDomain,
                CertificateFile = environment["Identity__CertificateFile"],
                KeyFile = environment["Identity__KeyFile"],
                TrustBundleFile = TrustBundleFile,
            }),
            NullLogger<CertificateSource>.Instance);
    }

    /// <summary>
    /// A channel to <paramref name="address"/> as <paramref name="workload"/>: mutual TLS for https,
    /// accepting any server of the mesh unless <paramref name="expectedServer"/> is named.
    /// </summary>
    public GrpcChannel Channel(string address, string workload, string? expectedServer = null) =>
        address.StartsWith("https://", StringComparison.Ordinal)
            ? GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = MeshTls.ClientHandler(SourceFor(workload), expectedServer),
                DisposeHttpClient = true,
            })
            : GrpcChannel.ForAddress(address);

    public void Dispose()
    {
        _authority.Dispose();
        if (_ownsDirectory)
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
