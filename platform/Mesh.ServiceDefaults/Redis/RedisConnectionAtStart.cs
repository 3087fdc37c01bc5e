using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Mesh.ServiceDefaults.Redis;

/// <summary>
/// Makes the process's multiplexer while the host starts: the host builds its hosted services on
/// the thread that starts it, before the server takes its first request. Connecting blocks; had a
/// first request (a health probe) made the connection, it would hold a thread-pool thread waiting
/// for replies that are themselves read on the pool, and every probe behind it another.
/// </summary>
internal sealed partial class RedisConnectionAtStart(IConnectionMultiplexer redis, ILogger<RedisConnectionAtStart> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            // The endpoints only: the configuration string may carry a password.
            LogNotConnected(string.Join(", ", redis.GetEndPoints().Select(endpoint => endpoint.ToString())));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis ({Endpoints}) not reachable at start; the client keeps trying and readiness reports it until it answers.")]
    private partial void LogNotConnected(string endpoints);
}
