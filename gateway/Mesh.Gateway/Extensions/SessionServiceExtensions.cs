using Mesh.Gateway.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
// The Web SDK imports Microsoft.AspNetCore.Builder, whose SessionOptions are ASP.NET Core's own sessions.
using SessionOptions = Mesh.Gateway.Sessions.SessionOptions;

namespace Mesh.Gateway.Extensions;

public static class SessionServiceExtensions
{
    public static IServiceCollection AddRedisSessions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SessionOptions>()
            .Bind(configuration.GetSection(SessionOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.IdleTimeout <= o.MaxLifetime, "Sessions:IdleTimeout must not exceed Sessions:MaxLifetime.")
            .ValidateOnStart();
        return services.AddSingleton<ISessionStore, RedisSessionStore>();
    }
}
