using Mesh.Identity;
using Mesh.ServiceDefaults.Redis.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.ServiceDefaults.Redis;

public static class RedisExtensions
{
    /// <summary>
    /// One multiplexer per process, connected lazily and reconnecting by itself, and the
    /// <c>Mesh.Redis</c> metrics polled from it (<see cref="RedisMetricsExtensions.AddRedisMetrics"/>).
    /// </summary>
    public static IServiceCollection AddRedis(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RedisOptions>()
            .Bind(configuration.GetSection(RedisOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<IConnectionMultiplexer>(provider =>
        {
            var options = ConnectionOptions(provider.GetRequiredService<IOptions<RedisOptions>>().Value);
            // A service must start even while Redis is still coming up; health reports it until then.
            options.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(options);
        });
        services.AddHostedService<RedisConnectionAtStart>();
        services.AddRedisMetrics();
        return services;
    }

    /// <summary>
    /// The configuration string, with the ACL user, the password from its file and the trust
    /// bundle for Redis's TLS certificate. The client's own keys (its master-change channel and
    /// tie-breaker key) are switched off: a service's ACL user may touch its own prefixes only.
    /// Replies are read and completed on the .NET thread pool, not on the client's ten dedicated
    /// socket threads: handing each reply from one of those threads to the pool cost the sidecar a
    /// sixth of its decisions on two cores (docs/BENCHMARKS.md, "Quotas"). The dedicated threads
    /// guard apps that block a pool thread on Redis; Mesh awaits every command, and makes its one
    /// blocking connect at start, off the pool (<see cref="RedisConnectionAtStart"/>).
    /// </summary>
    public static ConfigurationOptions ConnectionOptions(RedisOptions redis)
    {
        var options = ConfigurationOptions.Parse(redis.Configuration);
        options.ConfigurationChannel = "";
        options.TieBreaker = "";
        options.SocketManager = SocketManager.ThreadPool;
        if (redis.User.Length > 0)
        {
            options.User = redis.User;
        }

        if (redis.PasswordFile.Length > 0)
        {
            options.Password = File.ReadAllText(redis.PasswordFile).Trim();
        }

        if (redis.TrustBundleFile.Length > 0)
        {
            var roots = CustomRoots.Load(redis.TrustBundleFile);
            options.CertificateValidation += (_, certificate, _, errors) => CustomRoots.ValidateServer(certificate, errors, roots);
        }

        return options;
    }
}
