using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Mesh.Identity;

namespace Mesh.Bench.Identity;

/// <summary>
/// What the benchmarked processes run with, as deployed: a throw-away mesh CA with a certificate
/// per workload (deleted when the benchmark exits), and a sidecar app with its token.
/// </summary>
public static class BenchIdentity
{
    public const string TrustDomain = "mesh.local";
    public const string App = "bench";

    private static readonly Lazy<string> PkiDirectory = new(() =>
    {
        var directory = Directory.CreateTempSubdirectory("mesh-bench-pki-").FullName;
        MeshPki.Create(directory, TrustDomain, TimeSpan.FromHours(12)).Dispose();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        return directory;
    });

    /// <summary>The sidecar app token the benchmark calls with.</summary>
    public static string Token { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static IReadOnlyDictionary<string, string> EnvironmentFor(string workload) =>
        MeshPki.EnvironmentFor(PkiDirectory.Value, workload, TrustDomain);

    /// <summary>The sidecar settings that make it know the benchmark's app.</summary>
    public static IReadOnlyDictionary<string, string> SidecarApps { get; } = new Dictionary<string, string>
    {
        [$"Sidecar__Apps__{App}__TokenSha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Token))),
    };

    /// <summary>Calls over <paramref name="channel"/> as the benchmark's sidecar app.</summary>
    public static CallInvoker AsApp(this GrpcChannel channel) =>
        channel.Intercept(metadata =>
        {
            metadata.Add("dapr-api-token", Token);
            return metadata;
        });

    /// <summary>A channel to a mesh server as <paramref name="workload"/>, with mutual TLS.</summary>
    public static GrpcChannel MutualTlsChannel(string address, string workload)
    {
        var environment = EnvironmentFor(workload);
        var source = new CertificateSource(
            Microsoft.Extensions.Options.Options.Create(new IdentityOptions
            {
                TrustDomain = TrustDomain,
                CertificateFile = environment["Identity__CertificateFile"],
                KeyFile = environment["Identity__KeyFile"],
                TrustBundleFile = environment["Identity__TrustBundleFile"],
            }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<CertificateSource>.Instance);
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = MeshTls.ClientHandler(source, null), DisposeHttpClient = true });
    }
}
