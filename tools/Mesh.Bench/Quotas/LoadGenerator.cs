using System.Diagnostics;

namespace Mesh.Bench.Quotas;

/// <summary>
/// Keeps <c>concurrency</c> calls in flight for a fixed time (a closed loop: each worker starts its
/// next call when the last one ends) and records every call's latency. A call that throws counts
/// as a failure, not as a completed call.
/// </summary>
public static class LoadGenerator
{
    public static async Task<LoadResult> RunAsync(Func<Task> call, int concurrency, TimeSpan duration)
    {
        var latencies = new List<double>[concurrency];
        long failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            while (clock.Elapsed < duration)
            {
                var started = clock.Elapsed.TotalMilliseconds;
                try
                {
                    await call();
                    mine.Add(clock.Elapsed.TotalMilliseconds - started);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        var elapsed = clock.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(all.Length, failures, elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static TimeSpan Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))]);
}
