using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mesh.ServiceDefaults.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>Every ActivitySource and Meter of Mesh is named "Mesh.&lt;component&gt;".</summary>
    public const string MeshSources = "Mesh.*";

    /// <summary>
    /// Traces, metrics and logs over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set; gRPC server and
    /// client, HTTP, Redis and Mesh's own Kafka spans, under this process's service.name. Without
    /// an endpoint no spans are recorded at all (they would go nowhere, and a sampled span with its
    /// tags on every call cost the sidecar about 6 % of its CPU: docs/BENCHMARKS.md, "Quotas");
    /// metrics are still recorded for in-process readers. Trace context still flows: ASP.NET Core
    /// and HttpClient carry <c>traceparent</c> through without a tracer, and Kafka headers through
    /// the W3C propagator set here (the SDK's default, set whether or not a tracer is built).
    /// </summary>
    public static IServiceCollection AddMeshTelemetry(
        this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        Sdk.SetDefaultTextMapPropagator(new CompositeTextMapPropagator([new TraceContextPropagator(), new BaggagePropagator()]));
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(MeshSources, "Grpc.AspNetCore.Server", "Grpc.Net.Client"))
            .WithLogging();

        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry
                .WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsHealthProbe(context.Request.Path))
                    .AddGrpcClientInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRedisInstrumentation(o => o.SetVerboseDatabaseStatements = false)
                    .AddSource(MeshSources))
                .UseOtlpExporter();
        }

        return services;
    }

    private static bool IsHealthProbe(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments("/grpc.health.v1.Health");
}
