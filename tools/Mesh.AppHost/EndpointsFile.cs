using System.Text.Json;
using System.Text.RegularExpressions;
using Mesh.Contracts;
using Mesh.Identity;

namespace Mesh.AppHost;

/// <summary>
/// <c>.mesh/endpoints.json</c>: where each component listens and where its local credentials are,
/// read by the CLI, the samples and users' scripts. Its keys are a public interface: add, never
/// rename or drop one.
/// </summary>
internal sealed partial class EndpointsFile(LocalMesh mesh, string kafka)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private string Redis => RedisPassword().Replace(mesh.RedisAddress, "${1}***");

    private bool OwnsRedis => mesh.ExternalRedis is null;

    private bool DevBroker => mesh.ExternalKafka is null;

    private string? Dashboard => mesh.ExternalOtlp is null ? mesh.DashboardUrl : null;

    public void Write()
    {
        var certificates = mesh.CertificateDirectory;
        var document = new Dictionary<string, object?>
        {
            ["gateway"] = LocalMesh.Http(mesh.GatewayPort),
            ["users"] = LocalMesh.Https(mesh.UsersPort),
            ["orders"] = LocalMesh.Https(mesh.OrdersPort),
            ["notifications"] = LocalMesh.Https(mesh.NotificationsPort),
            ["sidecar"] = LocalMesh.Http(mesh.SidecarPort),
            ["sidecarToken"] = mesh.SidecarTokenFile,
            ["daprGrpc"] = LocalMesh.Http(mesh.DaprGrpcPort),
            ["daprHttp"] = LocalMesh.Http(mesh.DaprHttpPort),
            ["identity"] = new Dictionary<string, object>
            {
                ["trustDomain"] = mesh.TrustDomain,
                ["trustBundle"] = Path.Combine(certificates, "ca.pem"),
                ["operator"] = new Dictionary<string, string>
                {
                    ["certificate"] = Path.Combine(certificates, $"{Workloads.Operator}.pem"),
                    ["key"] = Path.Combine(certificates, $"{Workloads.Operator}.key"),
                },
            },
            ["dashboard"] = Dashboard,
            ["otlp"] = mesh.OtlpUrl,
            ["kafka"] = kafka,
            ["kafkaDevBroker"] = DevBroker,
            ["redis"] = Redis,
            ["redisAdmin"] = OwnsRedis
                ? new Dictionary<string, string>
                {
                    ["user"] = RedisAccess.Admin,
                    ["passwordFile"] = Path.Combine(mesh.RedisSecretDirectory, $"{RedisAccess.Admin}.password"),
                }
                : null,
            ["topics"] = EventContracts.All.ToDictionary(c => c.MessageType, c => c.Topic),
            ["logs"] = mesh.LogDirectory,
        };
        var temporary = mesh.EndpointsFile + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(document, Indented) + "\n");
        File.Move(temporary, mesh.EndpointsFile, overwrite: true);
    }

    public void Print(TextWriter output)
    {
        (string Name, string Address, string Notes)[] rows =
        [
            ("gateway", LocalMesh.Http(mesh.GatewayPort), "public gRPC API (h2c)"),
            ("users", LocalMesh.Https(mesh.UsersPort), "gRPC, internal, mutual TLS"),
            ("orders", LocalMesh.Https(mesh.OrdersPort), "gRPC, internal, mutual TLS"),
            ("notifications", LocalMesh.Https(mesh.NotificationsPort), "gRPC, internal, mutual TLS"),
            ("sidecar", LocalMesh.Http(mesh.SidecarPort), "gRPC locks, rate limits, Envoy RLS (app token)"),
            ("dapr-grpc", LocalMesh.Http(mesh.DaprGrpcPort), "the sidecar's Dapr API: TryLockAlpha1, UnlockAlpha1"),
            ("dapr-http", LocalMesh.Http(mesh.DaprHttpPort), "the sidecar's Dapr HTTP API (healthz, lock)"),
            ("dashboard", Dashboard ?? "-", Dashboard is null ? "not started (external OTLP)" : "resources, console logs, traces, metrics"),
            ("otlp", mesh.OtlpUrl, "OTLP/gRPC receiver"),
            ("kafka", kafka, DevBroker ? "dev broker: IN MEMORY, lost on stop" : "external"),
            ("redis", Redis, OwnsRedis ? "redis-server, no persistence, ACL users" : "external"),
        ];
        output.WriteLine();
        output.WriteLine($"{"component",-15} {"address",-40} notes");
        foreach (var (name, address, notes) in rows)
        {
            output.WriteLine($"{name,-15} {address,-40} {notes}");
        }

        output.WriteLine();
        output.WriteLine($"endpoints: {Shown(mesh.EndpointsFile)}");
        output.WriteLine($"logs:      {Shown(mesh.LogDirectory)}/<name>.log");
        output.WriteLine();
        output.WriteLine("mesh is up. Try ./mesh.sh demo in another terminal; Ctrl-C here stops everything.");
    }

    /// <summary>Relative to the repository when inside it (<c>.mesh/…</c>), else the full path (a <c>MESH_STATE_DIR</c> elsewhere).</summary>
    private string Shown(string path)
    {
        var relative = Path.GetRelativePath(mesh.Root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    /// <summary>Redis connection strings may hold a password: never print or store it.</summary>
    [GeneratedRegex("(password=)[^,]*", RegexOptions.IgnoreCase)]
    private static partial Regex RedisPassword();
}
