using Mesh.Gateway.Network;
using Mesh.Identity;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Extensions;

public static class NetworkServiceExtensions
{
    /// <summary>
    /// Who the client is (<c>X-Forwarded-For</c> from trusted proxies only), how many connections
    /// one address may hold, and the public port's certificate when it serves TLS. Kestrel's own
    /// HTTP/2 limits live in <c>Kestrel:Limits</c> (appsettings.json).
    /// </summary>
    public static WebApplicationBuilder AddGatewayNetwork(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TrustedProxyOptions>().Bind(builder.Configuration.GetSection(TrustedProxyOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyOptionsValidator>();
        services.AddSingleton<IConfigureOptions<ForwardedHeadersOptions>, ForwardedHeadersSetup>();
        services.AddOptions<ConnectionLimitOptions>().Bind(builder.Configuration.GetSection(ConnectionLimitOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ConnectionsPerAddress>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
            listen.Use(listen.ApplicationServices.GetRequiredService<ConnectionsPerAddress>().Wrap)));

        var publicTls = builder.Configuration.GetSection(PublicTlsOptions.SectionName).Get<PublicTlsOptions>() ?? new PublicTlsOptions();
        if (publicTls.IsConfigured)
        {
            services.AddSingleton(provider => new ServerCertificate(
                publicTls.CertificateFile, publicTls.KeyFile, TimeSpan.FromSeconds(30), provider.GetRequiredService<ILogger<ServerCertificate>>()));
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                var certificate = kestrel.ApplicationServices.GetRequiredService<ServerCertificate>();
                https.SslProtocols = MeshTls.Protocols;
                https.ServerCertificateSelector = (_, _) => certificate.Current;
            }));
        }

        return builder;
    }

    /// <summary>
    /// Reads <c>X-Forwarded-For</c> only when some proxy is trusted: with no known proxy at all,
    /// ASP.NET Core's middleware would believe the header from anyone.
    /// </summary>
    public static WebApplication UseTrustedForwardedHeaders(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value.Networks().Count > 0)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
