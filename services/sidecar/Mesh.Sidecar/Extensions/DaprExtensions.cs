using Mesh.Sidecar.DaprApi;
using Mesh.Sidecar.Grpc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Mesh.Sidecar.Extensions;

/// <summary>Dapr's API for Dapr's SDKs: its gRPC service and its HTTP routes, each on a loopback port of its own.</summary>
public static class DaprExtensions
{
    /// <summary>
    /// Adds the Dapr ports of section <c>Dapr</c> (or DAPR_GRPC_PORT, DAPR_HTTP_PORT) to the
    /// addresses of <c>Urls</c> rather than binding them in code: Kestrel ignores <c>Urls</c> as soon
    /// as one endpoint is bound in code, and every deployment configures the sidecar by <c>Urls</c>.
    /// The HTTP port speaks HTTP/1.1 (Dapr's SDKs' HTTP clients), every other one keeps h2c.
    /// </summary>
    public static WebApplicationBuilder AddSidecarDaprApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DaprOptions>()
            .Bind(builder.Configuration.GetSection(DaprOptions.SectionName))
            .Configure<IConfiguration>((options, configuration) => options.UsePortVariables(configuration))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DaprOptions>, DaprOptionsValidator>();
        builder.Services.AddSingleton<DaprLocks>();

        var dapr = DaprOptions.From(builder.Configuration);
        var urls = (builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToList();
        foreach (var port in new[] { dapr.GrpcPort, dapr.HttpPort }.OfType<int>().Where(p => p is > 0 and <= 65535))
        {
            // Loopback only: the app that uses the sidecar shares its pod's (or container's) network.
            if (!urls.Any(url => BindingAddress.Parse(url).Port == port))
            {
                urls.Add($"http://127.0.0.1:{port}");
            }
        }

        builder.WebHost.UseUrls([.. urls]);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
        {
            if (listen.IPEndPoint?.Port is { } port && port == dapr.HttpPort)
            {
                listen.Protocols = HttpProtocols.Http1;
            }
        }));
        return builder;
    }

    public static WebApplication MapSidecarDaprApi(this WebApplication app)
    {
        app.MapGrpcService<DaprGrpcService>();
        app.MapDaprHttpApi();
        return app;
    }
}
