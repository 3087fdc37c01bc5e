using Mesh.Locks;
using Mesh.Sidecar.Grpc;

namespace Mesh.Sidecar.Extensions;

/// <summary>The lock API of the sidecar; the rate limit API gets its own extension beside it.</summary>
public static class LockEndpointExtensions
{
    public static WebApplicationBuilder AddSidecarLocks(this WebApplicationBuilder builder)
    {
        builder.Services.AddDistributedLocks(builder.Configuration);
        return builder;
    }

    public static WebApplication MapSidecarLocks(this WebApplication app)
    {
        app.MapGrpcService<LocksGrpcService>();
        return app;
    }
}
