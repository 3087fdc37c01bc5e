using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Replay;

public static class ReplayExtensions
{
    /// <summary>
    /// The Replay API over <typeparamref name="TViews"/> (section <c>Replay</c>); the service's caller
    /// policy must allow <c>/mesh.internal.v1.Replay/</c> to the operator only.
    /// </summary>
    public static WebApplicationBuilder AddReplay<TViews>(this WebApplicationBuilder builder)
        where TViews : class, IRebuildableView
    {
        builder.Services.AddOptions<ReplayOptions>()
            .Bind(builder.Configuration.GetSection(ReplayOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IRebuildableView, TViews>();
        builder.Services.AddSingleton<LogReader>();
        builder.Services.AddSingleton<ViewRebuilder>();
        return builder;
    }

    public static WebApplication MapReplay(this WebApplication app)
    {
        app.MapGrpcService<ReplayGrpcService>();
        return app;
    }
}
