using Mesh.Coordination.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Coordination;

public static class CoordinationExtensions
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
