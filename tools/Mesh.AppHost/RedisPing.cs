using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Mesh.AppHost;

/// <summary>redis-server is ready when its admin user can log in and PING answers.</summary>
internal sealed class RedisPing(string address, string user, string passwordFile) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var options = ConfigurationOptions.Parse(address);
            options.User = user;
            options.Password = (await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim();
            options.ConnectTimeout = 2000;
            options.ConnectRetry = 0;
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
            await connection.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is RedisException or IOException)
        {
            return HealthCheckResult.Unhealthy($"redis-server on {address}: {e.Message}");
        }
    }
}
