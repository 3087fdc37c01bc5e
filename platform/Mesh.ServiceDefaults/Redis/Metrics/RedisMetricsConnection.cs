using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.ServiceDefaults.Redis.Metrics;

/// <summary>
/// The metrics' own connection, made from the same settings (user, password, TLS) as the process's
/// shared one, on first use. Its own, so that a page of SCAN or the text of INFO never queues in
/// front of a request's reply on the shared connection; and because StackExchange.Redis sends INFO
/// only on a connection in admin mode. Admin mode lifts a client-side check only: the ACL user
/// still decides what runs (services may run INFO and SCAN; KEYS, CONFIG and FLUSHALL stay refused).
/// It never subscribes, so it holds one socket per node (through Sentinel, the sentinels' pub/sub as well).
/// </summary>
public sealed class RedisMetricsConnection(IOptions<RedisOptions> options) : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection = new(() => ConnectAsync(options.Value));

    public async Task<IConnectionMultiplexer> GetAsync() => await _connection.Value;

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            await _connection.Value.Result.DisposeAsync();
        }
    }

    private static Task<ConnectionMultiplexer> ConnectAsync(RedisOptions redis)
    {
        var configuration = RedisExtensions.ConnectionOptions(redis);
        configuration.AllowAdmin = true;
        configuration.AbortOnConnectFail = false;
        configuration.ClientName = string.IsNullOrEmpty(configuration.ClientName) ? "mesh-metrics" : configuration.ClientName + "-metrics";
        if (string.IsNullOrEmpty(configuration.ServiceName))
        {
            // Without pub/sub the client opens no subscription socket. Not through Sentinel: the
            // client learns of a failover from the sentinels' pub/sub.
            configuration.CommandMap = CommandMap.Create(["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"], available: false);
        }

        return ConnectionMultiplexer.ConnectAsync(configuration);
    }
}
