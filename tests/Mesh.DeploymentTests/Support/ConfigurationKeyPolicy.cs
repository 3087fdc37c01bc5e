namespace Mesh.DeploymentTests.Support;

/// <summary>
/// Which configuration keys a deployment must set for a runnable, and which it may set.
/// <para>
/// Must set: every key whose appsettings.json value is a loopback address (those defaults serve
/// <c>./mesh.sh up</c> only: Urls, Redis, the gateway's service addresses, and any address a later
/// change adds), plus the keys the code reads that appsettings.json leaves to the environment:
/// the OTLP endpoint, the Redis user and its password file, the workload certificate (all but the
/// sidecar) and, for Kafka users, the bootstrap servers and how to authenticate to them.
/// </para>
/// <para>
/// May set: keys of the runnable's appsettings.json (tuning such as quotas keeps its default
/// unless a deployment overrides it), and the settings the shared libraries read. Anything else
/// is a typo or a key the code no longer reads, and would be silently ignored.
/// </para>
/// </summary>
public static class ConfigurationKeyPolicy
{
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string KafkaBootstrapServers = "Kafka:BootstrapServers";
    public const string KafkaBootstrapServersVariable = "KAFKA_BOOTSTRAP_SERVERS";

    /// <summary>Read by the shared libraries or the host rather than declared in appsettings.json.</summary>
    private static readonly string[] LibraryKeys =
    [
        OtlpEndpoint,
        "Redis:Configuration",
        "Redis:User",
        "Redis:PasswordFile",
        "Redis:TrustBundleFile",
        // The Mesh.Redis metrics: how often INFO is polled, how many keys each poll's census visits.
        "Redis:MetricsInterval",
        "Redis:KeyScanBudget",
        "Health:Port",
    ];

    /// <summary>Where Dapr's SDKs find Dapr's API; the sidecar reads the same variables to serve it there.</summary>
    private static readonly string[] DaprPortVariables = ["DAPR_GRPC_PORT", "DAPR_HTTP_PORT"];

    private static readonly string[] KafkaKeys = [KafkaBootstrapServers, KafkaBootstrapServersVariable, "Kafka:ConsumerGroup", "Kafka:ShutdownFlushTimeout"];

    /// <summary>Sections whose children are free-form (librdkafka properties, log categories, ...).</summary>
    private static readonly string[] LibrarySections = ["Logging:", "Kestrel:", "ASPNETCORE_", "DOTNET_", "Identity:"];

    private static readonly string[] KafkaSections = ["Kafka:Client:", "Kafka:Producer:", "Kafka:Consumer:", "Kafka:HandlerRetry:"];

    /// <summary>The one runnable whose own port is plaintext by design: apps reach it on their pod's loopback.</summary>
    private const string Sidecar = "sidecar";

    /// <summary>What makes a runnable a workload of the mesh: its certificate, and its own Redis user.</summary>
    private static readonly string[] IdentityKeys = ["Identity:CertificateFile", "Identity:KeyFile", "Identity:TrustBundleFile"];

    private static readonly string[] RedisUserKeys = ["Redis:User", "Redis:PasswordFile"];

    /// <summary>Variables of the deployment files themselves (Redis parts, the image's health URL), not .NET settings.</summary>
    private static readonly string[] DeploymentVariables = ["MESH_REDIS_CONNECTION", "MESH_REDIS_PASSWORD", "MESH_HEALTH_URL"];

    /// <summary>An environment variable name as a configuration key: <c>A__B</c> is <c>A:B</c>.</summary>
    public static string ToKey(string variable) => variable.Replace("__", ":", StringComparison.Ordinal);

    public static IReadOnlyList<string> Required(Runnable runnable)
    {
        var keys = runnable.Settings
            .Where(s => Address.Parse(s.Value) is { IsLoopback: true })
            .Select(s => s.Key)
            .Append(OtlpEndpoint)
            .Append("Redis:Configuration")
            .Concat(RedisUserKeys);
        if (runnable.Name != Sidecar)
        {
            keys = keys.Concat(IdentityKeys);
        }

        if (runnable.UsesKafka)
        {
            keys = keys.Append(KafkaBootstrapServers).Append("Kafka:Client:security.protocol");
        }

        return keys.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>True when <paramref name="key"/> is set, counting KAFKA_BOOTSTRAP_SERVERS for Kafka:BootstrapServers.</summary>
    public static bool IsSet(string key, IReadOnlyDictionary<string, string> environment)
    {
        var keys = environment.Keys.Select(ToKey).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return keys.Contains(key) || (key == KafkaBootstrapServers && keys.Contains(KafkaBootstrapServersVariable));
    }

    public static bool IsKnown(Runnable runnable, string variable)
    {
        var key = ToKey(variable);
        if (DeploymentVariables.Contains(variable, StringComparer.Ordinal)
            || (runnable.Name == Sidecar && DaprPortVariables.Contains(variable, StringComparer.Ordinal))
            || LibraryKeys.Contains(key, StringComparer.OrdinalIgnoreCase)
            || LibrarySections.Any(s => key.StartsWith(s, StringComparison.OrdinalIgnoreCase))
            // Kafka settings reach every process through the shared configuration; only Kafka users read them.
            || KafkaKeys.Contains(key, StringComparer.OrdinalIgnoreCase)
            || KafkaSections.Any(s => key.StartsWith(s, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        // A key of appsettings.json, or an element of one of its arrays or objects (Locks:Masters:0).
        return runnable.Settings.Keys.Any(k =>
            string.Equals(k, key, StringComparison.OrdinalIgnoreCase)
            || (runnable.Settings[k] is null && key.StartsWith(k + ":", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>True for the keys that hold where another component is: service addresses, Redis, Kafka, OTLP.</summary>
    public static bool IsAddress(string variable)
    {
        var key = ToKey(variable);
        return (key.StartsWith("Services:", StringComparison.OrdinalIgnoreCase) && !key.EndsWith("Timeout", StringComparison.OrdinalIgnoreCase))
            || key is "Redis:Configuration" or KafkaBootstrapServers or KafkaBootstrapServersVariable or OtlpEndpoint;
    }
}
