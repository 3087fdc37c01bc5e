using Mesh.Quotas.Configuration;
using Mesh.Quotas.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Quotas;

public static class QuotaExtensions
{
    /// <summary>
    /// The <c>Quotas</c> section, validated at start-up and reloaded on change, and the Redis
    /// decision engine behind <see cref="IQuotaEngine"/>.
    /// </summary>
    public static IServiceCollection AddQuotaEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<QuotaOptions>()
            .Bind(configuration.GetSection(QuotaOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QuotaOptions>, QuotaOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<QuotaPolicySource>();
        services.TryAddSingleton<QuotaMetrics>();
        services.TryAddSingleton<IQuotaEngine>(provider => new RedisQuotaEngine(
            provider.GetRequiredService<IConnectionMultiplexer>(),
            provider.GetRequiredService<QuotaPolicySource>(),
            provider.GetRequiredService<QuotaMetrics>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<RedisQuotaEngine>>(),
            provider.GetRequiredService<QuotaPolicySource>().Current.Breaker));
        return services;
    }
}
