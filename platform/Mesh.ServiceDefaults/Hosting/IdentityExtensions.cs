using Mesh.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.ServiceDefaults.Hosting;

public static partial class IdentityExtensions
{
    /// <summary>
    /// An internal service: its HTTPS endpoints require a mesh client certificate and each call is
    /// checked against <paramref name="callers"/> before any service code runs. A plain HTTP endpoint
    /// beside it (for Kubernetes' probes) answers health only.
    /// </summary>
    public static WebApplicationBuilder AddInternalServer(this WebApplicationBuilder builder, CallerPolicy callers)
    {
        if (!builder.AddWorkloadIdentity(required: true))
        {
            return builder;
        }

        builder.Services.AddSingleton(callers);
        builder.Services.AddTransient<IStartupFilter, CallerAuthorizationStartupFilter>();
        builder.WebHost.ConfigureKestrel(kestrel => MeshServerTls.Configure(kestrel, requireClientCertificate: true));
        return builder;
    }

    /// <summary>
    /// This process's workload identity (section <c>Identity</c>): its certificate for calls to mesh
    /// servers and, where it serves HTTPS, for its own endpoints. Returns false in insecure mode
    /// (<see cref="IdentityOptions.Insecure"/>), where nothing is registered. When
    /// <paramref name="required"/>, a process without identity files does not start.
    /// </summary>
    public static bool AddWorkloadIdentity(this WebApplicationBuilder builder, bool required)
    {
        var section = builder.Configuration.GetSection(IdentityOptions.SectionName);
        var options = section.Get<IdentityOptions>() ?? new IdentityOptions();
        builder.Services.AddOptions<IdentityOptions>().Bind(section);
        if (options.Insecure)
        {
            builder.Services.AddHostedService<InsecureModeWarning>();
            return false;
        }

        if (!options.IsConfigured && !required)
        {
            return false;
        }

        // Built eagerly at start, so a missing or foreign certificate stops the process at once.
        builder.Services.AddSingleton<CertificateSource>();
        builder.Services.AddHostedService<IdentityStartupCheck>();
        return true;
    }

    private sealed class CallerAuthorizationStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<CallerAuthorizationMiddleware>();
            next(app);
        };
    }

    private sealed class IdentityStartupCheck(CertificateSource source) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(source.Self);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed partial class InsecureModeWarning(ILogger<InsecureModeWarning> logger) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogInsecure();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Warning, Message = "Identity:Insecure is set: no TLS between components and every caller is believed. For measurements only, never for a deployment.")]
        private partial void LogInsecure();
    }
}
