using System.Net;
using System.Net.Sockets;

namespace Mesh.AppHost;

/// <summary>
/// Where the local mesh listens and keeps its state: the fixed loopback ports clients expect (the
/// <c>MESH_*_PORT</c> variables move them), the <c>.mesh</c> folder (<c>MESH_STATE_DIR</c> moves
/// it), and the dependencies a user brings instead of the ones this host starts
/// (<c>Redis__Configuration</c>, <c>KAFKA_BOOTSTRAP_SERVERS</c>, <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).
/// </summary>
internal sealed record LocalMesh(string Root)
{
    public const string Host = "127.0.0.1";

    /// <summary>
    /// Secrets, logs and endpoints.json; elsewhere (<c>MESH_STATE_DIR</c>) for a test or a second
    /// mesh, which must not delete those of a running <c>./mesh.sh up</c>.
    /// </summary>
    public string StateDirectory { get; init; } = Path.GetFullPath(Setting("MESH_STATE_DIR") ?? Path.Combine(Root, ".mesh"));

    public string LogDirectory => Path.Combine(StateDirectory, "logs");

    public string CertificateDirectory => Path.Combine(StateDirectory, "certs");

    public string RedisSecretDirectory => Path.Combine(StateDirectory, "secrets", "redis");

    public string SidecarTokenFile => Path.Combine(StateDirectory, "sidecar.token");

    public string KafkaBootstrapFile => Path.Combine(StateDirectory, "kafka.bootstrap");

    public string EndpointsFile => Path.Combine(StateDirectory, "endpoints.json");

    public string TrustDomain { get; init; } = Setting("MESH_TRUST_DOMAIN") ?? "mesh.local";

    public int RedisPort { get; init; } = Port("MESH_REDIS_PORT", 6380);

    public int GatewayPort { get; init; } = Port("MESH_GATEWAY_PORT", 5000);

    public int UsersPort { get; init; } = Port("MESH_USERS_PORT", 5101);

    public int OrdersPort { get; init; } = Port("MESH_ORDERS_PORT", 5102);

    public int NotificationsPort { get; init; } = Port("MESH_NOTIFICATIONS_PORT", 5103);

    public int SidecarPort { get; init; } = Port("MESH_SIDECAR_PORT", 5104);

    public int DaprGrpcPort { get; init; } = Port("MESH_DAPR_GRPC_PORT", 50001);

    public int DaprHttpPort { get; init; } = Port("MESH_DAPR_HTTP_PORT", 3500);

    public int DashboardPort { get; init; } = Port("MESH_DASHBOARD_PORT", 18888);

    public int OtlpPort { get; init; } = Port("MESH_OTLP_PORT", 18889);

    /// <summary>How long the gateway, last to start, may take to serve (<c>MESH_START_TIMEOUT</c>, seconds).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(Number("MESH_START_TIMEOUT", 90, "a number of seconds"));

    /// <summary>Full, Redis refuses writes instead of evicting a decision record, a lock or a fence (docs/operations.md).</summary>
    public string RedisMaxMemory { get; init; } = Setting("MESH_REDIS_MAXMEMORY") ?? "256mb";

    public string? ExternalRedis { get; init; } = Setting("Redis__Configuration");

    public string? ExternalKafka { get; init; } = Setting("KAFKA_BOOTSTRAP_SERVERS");

    public string? ExternalOtlp { get; init; } = Setting("OTEL_EXPORTER_OTLP_ENDPOINT");

    public string RedisAddress => ExternalRedis ?? $"{Host}:{RedisPort}";

    public string DashboardUrl => Http(DashboardPort);

    public string OtlpUrl => ExternalOtlp ?? Http(OtlpPort);

    /// <summary>The loopback ports this host is about to take, by component.</summary>
    public IEnumerable<(string Component, int Port)> FixedPorts()
    {
        (string, int)[] ports =
        [
            ("gateway", GatewayPort), ("users", UsersPort), ("orders", OrdersPort), ("notifications", NotificationsPort),
            ("sidecar", SidecarPort), ("dapr-grpc", DaprGrpcPort), ("dapr-http", DaprHttpPort),
        ];
        var redis = ExternalRedis is null ? [("redis", RedisPort)] : Array.Empty<(string, int)>();
        var dashboard = ExternalOtlp is null ? [("dashboard", DashboardPort), ("otlp", OtlpPort)] : Array.Empty<(string, int)>();
        return ports.Concat(redis).Concat(dashboard);
    }

    /// <summary>Two components told to take the same port, if any: one would not start and its callers would reach the other.</summary>
    public (string First, string Second, int Port)? PortGivenTwice() =>
        FixedPorts().GroupBy(p => p.Port).FirstOrDefault(g => g.Count() > 1) is { } shared
            ? (shared.First().Component, shared.Skip(1).First().Component, shared.Key)
            : null;

    /// <summary>The first of <see cref="FixedPorts"/> that something else holds, if any.</summary>
    public (string Component, int Port)? PortInUse()
    {
        foreach (var (component, port) in FixedPorts())
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
            }
            catch (SocketException)
            {
                return (component, port);
            }
            finally
            {
                listener.Stop();
            }
        }

        return null;
    }

    public static string Http(int port) => $"http://{Host}:{port}";

    public static string Https(int port) => $"https://{Host}:{port}";

    /// <summary>The repository root: the folder above tools/ that holds Mesh.sln.</summary>
    public static LocalMesh ForRepository()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Mesh.sln")))
        {
            directory = directory.Parent;
        }

        return new LocalMesh(directory?.FullName ?? throw new InvalidOperationException($"No Mesh.sln above {AppContext.BaseDirectory}."));
    }

    private static string? Setting(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static int Port(string name, int fallback) => Number(name, fallback, "a port", maximum: 65535);

    private static int Number(string name, int fallback, string what, int maximum = int.MaxValue) =>
        Setting(name) is { } value
            ? int.TryParse(value, out var number) && number > 0 && number <= maximum ? number : throw new InvalidOperationException($"{name}={value} is not {what}.")
            : fallback;
}
