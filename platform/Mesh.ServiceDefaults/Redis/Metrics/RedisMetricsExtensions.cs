using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.ServiceDefaults.Redis.Metrics;

public static class RedisMetricsExtensions
{
    /// <summary>
    /// The <c>Mesh.Redis</c> instruments and the background poller that feeds them, on a
    /// connection of their own made from <see cref="RedisOptions"/>.
    /// </summary>
    public static IServiceCollection AddRedisMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedisMetricsConnection>();
        services.TryAddSingleton<RedisMetrics>();
        services.TryAddSingleton<RedisKeyCensus>();
        services.TryAddSingleton<RedisMetricsCollector>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, RedisMetricsPoller>());
        return services;
    }

    /// <summary>Counts <paramref name="workload"/>'s key families (<see cref="RedisKeyFamilies"/>) in <c>mesh.redis.keys</c>.</summary>
    public static IServiceCollection AddRedisKeyFamilies(this IServiceCollection services, string workload)
    {
        foreach (var family in RedisKeyFamilies.Of(workload))
        {
            services.AddSingleton(family);
        }

        return services;
    }
}
