using System.Diagnostics;
using Mesh.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Bench.Events;

/// <summary>
/// Open-loop load: events are published on a fixed schedule whatever the broker or consumer does,
/// and the time from calling PublishAsync to the library calling the handler is recorded for each.
/// One process holds the publisher and the consumer, so both ends read the same clock.
/// </summary>
public static class LatencyBenchmark
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(60);

    public static async Task<LatencyResult> RunAsync(int perSecond, TimeSpan length, KafkaTuning tuning, CancellationToken cancellationToken)
    {
        using var broker = new BenchBroker();
        var total = (long)(perSecond * length.TotalSeconds);
        var probe = new HandlerProbe(total + 1);
        var host = await LibraryHost.StartAsync(broker.Bootstrap, "bench-latency", services => services.AddSingleton(probe), cancellationToken, tuning);
        try
        {
            var publisher = host.Services.GetRequiredService<IEventPublisher>();
            // Not measured: connects the producer and waits for the consumer to own its partitions.
            await publisher.PublishAsync(BenchEvents.Create(0), cancellationToken);
            await WaitForAsync(() => probe.Count >= 1, TimeSpan.FromSeconds(30), cancellationToken);

            var sends = new List<Task>((int)total);
            var clock = Stopwatch.StartNew();
            for (var i = 1L; i <= total; i++)
            {
                var wait = TimeSpan.FromSeconds((i - 1) / (double)perSecond) - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                var @event = BenchEvents.Create(i);
                probe.Sent(@event.EventId);
                sends.Add(publisher.PublishAsync(@event, cancellationToken));
            }

            var offered = total / clock.Elapsed.TotalSeconds;
            await Task.WhenAll(sends);
            await Task.WhenAny(probe.Reached, Task.Delay(Drain, cancellationToken));
            return new LatencyResult(perSecond, tuning, offered, total, [.. probe.LatenciesMs.Order()]);
        }
        finally
        {
            await LibraryHost.StopAsync(host);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > within)
            {
                throw new TimeoutException("The consumer handled nothing: no partitions assigned?");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }
}
