using Mesh.Identity;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Gateway.Routing;

/// <summary>
/// The connections YARP forwards over: mutual TLS with the gateway's workload certificate, to a
/// server that must name the cluster's workload (<see cref="GatewayRoutes.WorkloadMetadata"/>).
/// </summary>
public sealed class MeshForwarderHttpClientFactory(CertificateSource identity) : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        var workload = context.NewMetadata?.GetValueOrDefault(GatewayRoutes.WorkloadMetadata);
        handler.SslOptions = MeshTls.ClientOptions(identity, workload);
        handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5);
    }
}
