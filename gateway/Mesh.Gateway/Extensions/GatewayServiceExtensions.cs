using Grpc.Health.V1;
using Grpc.Reflection;
using Grpc.Reflection.V1Alpha;
using Mesh.Contracts.Internal.V1;
using Mesh.Gateway.Admission;
using Mesh.Gateway.Grpc;
using Mesh.Gateway.Quotas;
using Mesh.Gateway.Routing;
using Mesh.Identity;
using Mesh.ServiceDefaults.Hosting;
using Mesh.ServiceDefaults.Redis.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Forwarder;
using Auth = Mesh.Contracts.V1.Auth;

namespace Mesh.Gateway.Extensions;

public static class GatewayServiceExtensions
{
    public static WebApplicationBuilder AddGatewayServices(this WebApplicationBuilder builder)
    {
        builder.AddGatewayNetwork();
        var services = builder.Services;
        var addresses = builder.Configuration.GetSection(ServiceAddresses.SectionName).Get<ServiceAddresses>()
            ?? throw new InvalidOperationException($"Configuration section '{ServiceAddresses.SectionName}' is missing.");
        services.AddOptions<ServiceAddresses>().Bind(builder.Configuration.GetSection(ServiceAddresses.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();

        services.AddRedisSessions(builder.Configuration);
        services.AddRedisKeyFamilies(Workloads.Gateway);
        services.AddGatewayQuotas(builder.Configuration);
        services.AddSingleton<CredentialQuota>();
        var secure = builder.AddWorkloadIdentity(required: true);
        services.AddGrpcClient<Auth.AuthClient>(o => o.Address = addresses.Users).ToUsers(secure);
        services.AddGrpcClient<Credentials.CredentialsClient>(o => o.Address = addresses.Users).ToUsers(secure);
        services.AddReverseProxy()
            .LoadFromMemory(GatewayRoutes.Routes, GatewayRoutes.Clusters(addresses))
            .AddTransforms(ResponseHeadersFlush.Apply);
        if (secure)
        {
            services.AddSingleton<IForwarderHttpClientFactory, MeshForwarderHttpClientFactory>();
        }

        // Reflection describes the public API behind the gateway, not just what the gateway serves itself.
        Google.Protobuf.Reflection.ServiceDescriptor[] described =
            [.. GatewayMethods.PublicServices, Health.Descriptor, ServerReflection.Descriptor, global::Grpc.Reflection.V1.ServerReflection.Descriptor];
        services.Replace(ServiceDescriptor.Singleton(new ReflectionServiceImpl(described)));
        services.Replace(ServiceDescriptor.Singleton(new ReflectionV1ServiceImpl(described)));
        return builder;
    }

    /// <summary>The gateway's own calls to the user service, over mutual TLS to the users workload.</summary>
    private static IHttpClientBuilder ToUsers(this IHttpClientBuilder client, bool secure) =>
        secure
            ? client.ConfigurePrimaryHttpMessageHandler(provider => MeshTls.ClientHandler(provider.GetRequiredService<CertificateSource>(), Workloads.Users))
            : client;

    public static WebApplication UseGatewayPipeline(this WebApplication app)
    {
        app.UseTrustedForwardedHeaders();
        app.UseMiddleware<DependencyFailureMiddleware>();
        app.UseMiddleware<MethodResolutionMiddleware>();
        app.UseMiddleware<SessionAuthenticationMiddleware>();
        app.UseMiddleware<QuotaMiddleware>();
        app.UseMiddleware<SessionRequiredMiddleware>();
        return app;
    }

    public static WebApplication MapGatewayEndpoints(this WebApplication app)
    {
        app.MapGrpcService<AuthGrpcService>();
        app.MapReverseProxy();
        return app;
    }
}
