using System.Text.Json;
using Grpc.Net.Client;
using Mesh.Identity;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Cli.Infrastructure;

/// <summary>
/// The CLI's workload identity (<c>operator</c>) for calls to internal services over mutual TLS:
/// from the <c>Identity__*</c> environment variables a service would read, or else from the
/// <c>identity</c> entry that <c>./mesh.sh up</c> writes into <c>.mesh/endpoints.json</c>.
/// </summary>
public static class OperatorIdentity
{
    /// <summary>A channel to <paramref name="address"/>: plain for http://, mutual TLS as the operator for https://.</summary>
    public static GrpcChannel Channel(Uri address, string? expectedWorkload, FileInfo? endpoints)
    {
        if (address.Scheme != Uri.UriSchemeHttps)
        {
            return GrpcChannel.ForAddress(address);
        }

        var identity = Load(endpoints) ?? throw new InvalidOperationException(
            $"{address} speaks mutual TLS, and no operator certificate was found: set Identity__CertificateFile, Identity__KeyFile and " +
            $"Identity__TrustBundleFile, or run ./mesh.sh up (it names them in {MeshEndpoints.RelativePath}).");
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = MeshTls.ClientHandler(identity, expectedWorkload), DisposeHttpClient = true });
    }

    private static CertificateSource? Load(FileInfo? endpoints)
    {
        var options = FromEnvironment() ?? FromEndpoints(endpoints);
        return options is null ? null : new CertificateSource(Options.Create(options), NullLogger<CertificateSource>.Instance);
    }

    private static IdentityOptions? FromEnvironment()
    {
        var options = new IdentityOptions
        {
            CertificateFile = Environment.GetEnvironmentVariable("Identity__CertificateFile") ?? "",
            KeyFile = Environment.GetEnvironmentVariable("Identity__KeyFile") ?? "",
            TrustBundleFile = Environment.GetEnvironmentVariable("Identity__TrustBundleFile") ?? "",
            TrustDomain = Environment.GetEnvironmentVariable("Identity__TrustDomain") ?? "mesh.local",
        };
        return options.IsConfigured ? options : null;
    }

    private static IdentityOptions? FromEndpoints(FileInfo? endpoints)
    {
        var path = MeshEndpoints.PathOf(endpoints);
        if (path is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        if (!document.RootElement.TryGetProperty("identity", out var identity) || identity.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var options = new IdentityOptions
        {
            TrustDomain = Text(identity, "trustDomain") ?? "mesh.local",
            TrustBundleFile = Text(identity, "trustBundle") ?? "",
            CertificateFile = identity.TryGetProperty("operator", out var op) ? Text(op, "certificate") ?? "" : "",
            KeyFile = identity.TryGetProperty("operator", out var key) ? Text(key, "key") ?? "" : "",
        };
        return options.IsConfigured ? options : null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
