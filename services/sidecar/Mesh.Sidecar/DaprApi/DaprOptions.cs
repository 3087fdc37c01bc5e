using Microsoft.Extensions.Configuration;

namespace Mesh.Sidecar.DaprApi;

/// <summary>
/// Section <c>Dapr</c>: where the sidecar serves Dapr's API to Dapr's SDKs, on the pod's loopback,
/// and which lock store names it answers to. A port not set here is taken from the variable Dapr's
/// SDKs read (<c>DAPR_GRPC_PORT</c>, <c>DAPR_HTTP_PORT</c>), so one pair of variables for a pod
/// configures the app and its sidecar alike; with neither, that port is not opened.
/// </summary>
public sealed class DaprOptions
{
    public const string SectionName = "Dapr";
    public const string GrpcPortVariable = "DAPR_GRPC_PORT";
    public const string HttpPortVariable = "DAPR_HTTP_PORT";

    /// <summary>Dapr's gRPC API (h2c); Dapr's own default is 50001.</summary>
    public int? GrpcPort { get; set; }

    /// <summary>Dapr's HTTP API (HTTP/1.1): health, metadata and the lock API; Dapr's own default is 3500.</summary>
    public int? HttpPort { get; set; }

    /// <summary>
    /// The lock store names accepted; empty accepts any name. Every store is the sidecar's one lock
    /// backend: the name only selects, it never partitions (as with Dapr's default key strategy,
    /// where keys are prefixed by app id, not store).
    /// </summary>
    public List<string> LockStores { get; set; } = [];

    /// <summary>Fills the ports this section leaves unset from DAPR_GRPC_PORT and DAPR_HTTP_PORT.</summary>
    public DaprOptions UsePortVariables(IConfiguration configuration)
    {
        GrpcPort ??= Port(configuration[GrpcPortVariable]);
        HttpPort ??= Port(configuration[HttpPortVariable]);
        return this;
    }

    /// <summary>The settings as they stand in <paramref name="configuration"/>, before validation.</summary>
    public static DaprOptions From(IConfiguration configuration) =>
        (configuration.GetSection(SectionName).Get<DaprOptions>() ?? new DaprOptions()).UsePortVariables(configuration);

    // A value that is not a number becomes 0, which validation then refuses with the setting's name.
    private static int? Port(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : int.TryParse(value, out var port) ? port : 0;
}
