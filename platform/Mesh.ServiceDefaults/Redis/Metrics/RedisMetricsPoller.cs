using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.ServiceDefaults.Redis.Metrics;

/// <summary>
/// Polls every <c>Redis:MetricsInterval</c> in the background, on a connection of its own: nothing
/// waits for it, a slow poll only delays the next one, and a failing one is logged and tried again
/// at the next tick (a fault here must never stop the service it reports on).
/// </summary>
public sealed partial class RedisMetricsPoller(
    RedisMetricsCollector collector, IOptions<RedisOptions> options, TimeProvider clock, ILogger<RedisMetricsPoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Start-up continues at once; the first poll runs on the thread pool.
        await Task.Yield();
        using var timer = new PeriodicTimer(options.Value.MetricsInterval, clock);
        do
        {
            try
            {
                await collector.PollAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogPollFailed(exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Polling Redis for metrics failed; trying again at the next interval")]
    private partial void LogPollFailed(Exception exception);
}
