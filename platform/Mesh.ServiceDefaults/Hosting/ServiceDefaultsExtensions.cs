using Mesh.ServiceDefaults.Errors;
using Mesh.ServiceDefaults.Redis;
using Mesh.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ServiceDefaults.Hosting;

public static class ServiceDefaultsExtensions
{
    /// <summary>Telemetry, Redis, gRPC with error mapping, health and reflection: what every Mesh process has.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Services.AddMeshTelemetry(builder.Configuration, serviceName);
        builder.Services.AddRedis(builder.Configuration);
        builder.Services.AddGrpc(options => options.Interceptors.Add<ErrorMappingInterceptor>());
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks()
            .AddCheck<RedisHealthCheck>("redis");
        return builder;
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
