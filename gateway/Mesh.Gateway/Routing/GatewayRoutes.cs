using System.Net;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Gateway.Routing;

/// <summary>
/// Which gRPC service each backend owns. Auth is answered by the gateway itself (it owns sessions);
/// the rest is forwarded by YARP over HTTP/2, with mutual TLS unless identity is off (insecure
/// mode, for measurements). Only canonical paths get this far
/// (<see cref="MethodResolutionMiddleware"/>).
/// </summary>
public static class GatewayRoutes
{
    /// <summary>Cluster metadata naming the workload whose certificate the destination must present.</summary>
    public const string WorkloadMetadata = "mesh.workload";

    /// <summary>The route of server-streaming calls, whose headers must reach the client at once.</summary>
    public const string StreamingRouteId = "notifications-subscribe";

    public static IReadOnlyList<RouteConfig> Routes { get; } =
    [
        Route("orders", "orders", "/mesh.v1.Orders/{**method}"),
        // Only the public API; mesh.internal.v1 (Credentials, Replay) is never forwarded.
        Route("users", "users", "/mesh.v1.Users/{**method}"),
        Route(StreamingRouteId, "notifications", "/mesh.v1.Notifications/Subscribe"),
        Route("notifications", "notifications", "/mesh.v1.Notifications/{**method}"),
    ];

    public static IReadOnlyList<ClusterConfig> Clusters(ServiceAddresses addresses) =>
    [
        Cluster("orders", addresses.Orders, TimeSpan.FromSeconds(100)),
        Cluster("users", addresses.Users, TimeSpan.FromSeconds(100)),
        // Subscribe streams stay open while nothing happens, until the service recycles them.
        Cluster("notifications", addresses.Notifications, TimeSpan.FromDays(1)),
    ];

    private static RouteConfig Route(string id, string cluster, string path) =>
        new() { RouteId = id, ClusterId = cluster, Match = new RouteMatch { Path = path } };

    private static ClusterConfig Cluster(string id, Uri address, TimeSpan activityTimeout) => new()
    {
        ClusterId = id,
        // Each cluster is the service of the same name, and must present that workload's certificate.
        Metadata = new Dictionary<string, string> { [WorkloadMetadata] = id },
        HttpRequest = new ForwarderRequestConfig
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            ActivityTimeout = activityTimeout,
        },
        Destinations = new Dictionary<string, DestinationConfig> { ["primary"] = new() { Address = address.ToString() } },
    };
}
