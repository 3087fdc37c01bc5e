using Mesh.Identity;
using Mesh.ServiceDefaults.Hosting;
using Mesh.ServiceDefaults.Redis.Metrics;
using Mesh.Sidecar.Apps;
using Microsoft.Extensions.Options;

namespace Mesh.Sidecar.Extensions;

/// <summary>Who may call the sidecar (apps with a token) and how they reach it.</summary>
public static class AppExtensions
{
    /// <summary>
    /// App tokens from <c>Sidecar:Apps</c> (and <c>Sidecar:AppId</c>, a pod's one app). Apps reach the sidecar on their pod's loopback in plain
    /// h2c (as Dapr's SDKs expect of a local sidecar); where it is reached over a network, its
    /// HTTPS endpoints serve the workload certificate of <c>Identity</c> (no client certificate:
    /// apps are known by their tokens).
    /// </summary>
    public static WebApplicationBuilder AddSidecarApps(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SidecarAppsOptions>()
            .Bind(builder.Configuration.GetSection(SidecarAppsOptions.SectionName))
            .PostConfigure(options => options.IncludePodApp())
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SidecarAppsOptions>, SidecarAppsOptionsValidator>();
        builder.Services.AddSingleton<AppTokens>();
        // Every app's locks and limits live under the sidecar's own key prefixes.
        builder.Services.AddRedisKeyFamilies(Workloads.Sidecar);
        if (builder.AddWorkloadIdentity(required: false))
        {
            builder.WebHost.ConfigureKestrel(kestrel => MeshServerTls.Configure(kestrel, requireClientCertificate: false));
        }

        return builder;
    }

    public static WebApplication UseSidecarApps(this WebApplication app)
    {
        app.UseMiddleware<AppTokenMiddleware>();
        return app;
    }
}
