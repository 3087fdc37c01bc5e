using StackExchange.Redis;

namespace Mesh.Locks;

/// <summary>
/// Connections to the Redlock masters, tuned so that a dead master answers at once: commands fail
/// fast instead of queueing while it is disconnected, and reconnection is retried every second.
/// </summary>
internal static class RedlockConnections
{
    public static IReadOnlyList<IConnectionMultiplexer> Connect(LockOptions options) =>
        Task.WhenAll(options.Masters.Select(master => ConnectOneAsync(master, options))).GetAwaiter().GetResult();

    private static async Task<IConnectionMultiplexer> ConnectOneAsync(string configuration, LockOptions options)
    {
        var redis = ConfigurationOptions.Parse(configuration);
        redis.AbortOnConnectFail = false;
        redis.BacklogPolicy = BacklogPolicy.FailFast;
        redis.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
        redis.AsyncTimeout = (int)Math.Max(options.MasterTimeout.TotalMilliseconds, 100);
        redis.ReconnectRetryPolicy = new LinearRetry(1000);
        return await ConnectionMultiplexer.ConnectAsync(redis);
    }
}
