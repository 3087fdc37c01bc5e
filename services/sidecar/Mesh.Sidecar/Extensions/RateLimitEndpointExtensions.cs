using Mesh.Quotas;
using Mesh.Sidecar.Grpc;
using Mesh.Sidecar.RateLimiting;

namespace Mesh.Sidecar.Extensions;

/// <summary>The rate limit APIs of the sidecar: Envoy's RLS v3 and mesh.sidecar.v1.RateLimits, over the Quotas engine.</summary>
public static class RateLimitEndpointExtensions
{
    public static WebApplicationBuilder AddSidecarRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddQuotaEngine(builder.Configuration);
        builder.Services.AddSingleton<SidecarRateLimiter>();
        return builder;
    }

    public static WebApplication MapSidecarRateLimits(this WebApplication app)
    {
        app.MapGrpcService<EnvoyRateLimitGrpcService>();
        app.MapGrpcService<RateLimitsGrpcService>();
        return app;
    }
}
