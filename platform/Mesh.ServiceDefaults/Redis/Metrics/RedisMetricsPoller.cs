using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mesh.ServiceDefaults.Redis.Metrics;

/// <summary>
/// Polls every <c>Redis:MetricsInterval</c> in the background, on the shared connection: nothing
/// waits for it, and a slow or failing poll only delays the next one.
/// </summary>
public sealed class RedisMetricsPoller(RedisMetricsCollector collector, IOptions<RedisOptions> options, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Start-up continues at once; the first poll runs on the thread pool.
        await Task.Yield();
        using var timer = new PeriodicTimer(options.Value.MetricsInterval, clock);
        do
        {
            await collector.PollAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
