using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Locks;

public static class LockExtensions
{
    /// <summary>
    /// <see cref="ILockManager"/> and <see cref="ILockBackend"/> from the <c>Locks</c> section: a
    /// Redlock quorum over <c>Locks:Masters</c>, or else the process's <see cref="IConnectionMultiplexer"/>.
    /// </summary>
    public static IServiceCollection AddDistributedLocks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LockOptions>()
            .Bind(configuration.GetSection(LockOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.Masters.TrueForAll(m => !string.IsNullOrWhiteSpace(m)), "Locks:Masters must not hold empty entries.")
            .Validate(o => o.MasterTimeout < o.Expiry, "Locks:MasterTimeout must be shorter than Locks:Expiry.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ILockBackend>(CreateBackend);
        services.TryAddSingleton<ILockManager, LockManager>();
        return services;
    }

    private static ILockBackend CreateBackend(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<LockOptions>>();
        var clock = provider.GetRequiredService<TimeProvider>();
        return options.Value.Masters.Count == 0
            ? new RedisLockBackend(
                provider.GetRequiredService<IConnectionMultiplexer>(), options, clock, provider.GetRequiredService<ILogger<RedisLockBackend>>())
            : new RedlockBackend(RedlockConnections.Connect(options.Value), options, clock, ownsConnections: true);
    }
}
