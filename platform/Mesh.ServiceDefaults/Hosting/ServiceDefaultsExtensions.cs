using Grpc.AspNetCore.Server;
using Mesh.ServiceDefaults.Errors;
using Mesh.ServiceDefaults.Redis;
using Mesh.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Mesh.ServiceDefaults.Hosting;

public static class ServiceDefaultsExtensions
{
    /// <summary>The grpc.health.v1 service name that liveness probes ask for.</summary>
    public const string LivenessService = "liveness";

    /// <summary>Telemetry, Redis, gRPC with error mapping, health and reflection: what every Mesh process has.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Services.AddMeshTelemetry(builder.Configuration, serviceName);
        builder.Services.AddRedis(builder.Configuration);
        builder.Services.AddOptions<GrpcLimitsOptions>()
            .Bind(builder.Configuration.GetSection(GrpcLimitsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddGrpc(options => options.Interceptors.Add<ErrorMappingInterceptor>());
        builder.Services.AddOptions<GrpcServiceOptions>()
            .Configure<IOptions<GrpcLimitsOptions>>((grpc, limits) => grpc.MaxReceiveMessageSize = limits.Value.MaxReceiveMessageSize);
        builder.Services.AddGrpcReflection();
        builder.Services.AddOptions<HealthPortOptions>()
            .Bind(builder.Configuration.GetSection(HealthPortOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddTransient<IStartupFilter, HealthPortStartupFilter>();
        // "" (readiness) reports every dependency; "liveness" only that the process answers, so a
        // Redis outage takes pods out of rotation without restarting them.
        builder.Services.AddGrpcHealthChecks(options =>
            {
                options.Services.Map("", _ => true);
                options.Services.Map(LivenessService, result => result.Tags.Contains(LivenessService));
            })
            .AddCheck("self", () => HealthCheckResult.Healthy(), tags: [LivenessService])
            .AddCheck<RedisHealthCheck>("redis");
        return builder;
    }

    private sealed class HealthPortStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<HealthPortMiddleware>();
            next(app);
        };
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
