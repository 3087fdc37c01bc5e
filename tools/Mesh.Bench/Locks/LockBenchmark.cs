using System.Globalization;
using Mesh.Locks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;
using StackExchange.Redis;

namespace Mesh.Bench.Locks;

/// <summary>
/// The <c>locks</c> benchmark: after a warm-up, rounds of one raw phase followed at once by one
/// library phase (and one more whose acquires may wait but never have to), so that noise on a
/// shared machine hits all of a round alike; each ratio is the median of the rounds' ratios to
/// raw. Then as many contended rounds, each a polling phase
/// (the baseline: waiters retry, as before waiters queued and as under Redlock) followed by a
/// queued phase. Exits 1 when the uncontended ratio is below 50 %, the queued/polling grants ratio
/// below 80 %, or in any queued round the least-served worker got under half the median's grants.
/// </summary>
public static class LockBenchmark
{
    public const double Floor = 0.5;

    public const double ContendedFloor = 0.8;

    public const double FairnessFloor = 0.5;

    public static async Task<int> RunAsync(LockBenchmarkSettings settings, CancellationToken cancellationToken)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(settings.Redis);
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConnectionMultiplexer>(redis)
            .AddDistributedLocks(new ConfigurationBuilder().Build())
            .BuildServiceProvider(validateScopes: true);
        var locks = services.GetRequiredService<ILockManager>();
        var polling = new LockManager(
            new PollingLockBackend(services.GetRequiredService<ILockBackend>()), services.GetRequiredService<IOptions<LockOptions>>(),
            TimeProvider.System, services.GetRequiredService<ILogger<LockManager>>());
        var uncontended = new UncontendedBenchmark(locks, redis.GetDatabase());
        var warmUp = TimeSpan.FromSeconds(1);

        var (raw, library, mayWait, contended) = await PhaseRunner.ShowAsync(async phases =>
        {
            await phases.RunAsync("warm-up raw", warmUp, () => uncontended.RawAsync(warmUp, cancellationToken), Rate);
            await phases.RunAsync("warm-up library", warmUp, () => uncontended.LibraryAsync(warmUp, cancellationToken), Rate);
            var raw = new List<Measured>();
            var library = new List<Measured>();
            var mayWait = new List<Measured>();
            for (var round = 1; round <= settings.Rounds; round++)
            {
                raw.Add(await phases.RunAsync($"raw {round}/{settings.Rounds}", settings.Phase,
                    () => uncontended.RawAsync(settings.Phase, cancellationToken), Rate));
                library.Add(await phases.RunAsync($"library {round}/{settings.Rounds}", settings.Phase,
                    () => uncontended.LibraryAsync(settings.Phase, cancellationToken), Rate));
                mayWait.Add(await phases.RunAsync($"library, may wait {round}/{settings.Rounds}", settings.Phase,
                    () => uncontended.LibraryMayWaitAsync(settings.Phase, cancellationToken), Rate));
            }

            var contended = new List<(ContendedResult Polling, ContendedResult Queued)>();
            for (var round = 0; round <= settings.Rounds; round++)
            {
                var length = round == 0 ? warmUp : settings.Phase;
                var name = round == 0 ? "warm-up" : $"{round}/{settings.Rounds}";
                var pair = (
                    await phases.RunAsync($"contended polling {name}, {settings.Workers} workers", length,
                        () => new ContendedBenchmark(polling, "bench:contended:polling").RunAsync(settings.Workers, settings.RetryInterval, length, cancellationToken),
                        Describe),
                    await phases.RunAsync($"contended queued {name}, {settings.Workers} workers", length,
                        () => new ContendedBenchmark(locks, "bench:contended:queued").RunAsync(settings.Workers, settings.RetryInterval, length, cancellationToken),
                        Describe));
                if (round > 0)
                {
                    contended.Add(pair);
                }
            }

            return (raw, library, mayWait, contended);
        });

        var ratio = Median(library.Zip(raw, (l, r) => l.PerSecond / r.PerSecond));
        var mayWaitRatio = Median(mayWait.Zip(raw, (l, r) => l.PerSecond / r.PerSecond));
        var contendedRatio = Median(contended.Select(c => c.Queued.Grants.PerSecond / c.Polling.Grants.PerSecond));
        var fairness = contended.Min(c => c.Queued.Fairness);
        AnsiConsole.Write(Report(
            settings, Median(raw.Select(r => r.PerSecond)), (Median(library.Select(l => l.PerSecond)), ratio),
            (Median(mayWait.Select(l => l.PerSecond)), mayWaitRatio), contended, contendedRatio, fairness));
        var failures = new List<string>();
        if (ratio < Floor)
        {
            failures.Add($"The library reached {ratio:P0} of the raw rate, below the {Floor:P0} floor.");
        }

        if (contendedRatio < ContendedFloor)
        {
            failures.Add($"Queued waiters reached {contendedRatio:P0} of the polling grants/s, below the {ContendedFloor:P0} floor.");
        }

        if (fairness < FairnessFloor)
        {
            failures.Add($"A queued round's least-served worker got {fairness:P0} of the median worker's grants, below the {FairnessFloor:P0} floor.");
        }

        failures.ForEach(failure => AnsiConsole.MarkupLine($"[red]{Markup.Escape(failure)}[/]"));
        return failures.Count == 0 ? 0 : 1;
    }

    private static Table Report(
        LockBenchmarkSettings settings, double raw, (double Rate, double Ratio) library, (double Rate, double Ratio) mayWait,
        IReadOnlyList<(ContendedResult Polling, ContendedResult Queued)> contended, double contendedRatio, double fairness)
    {
        var table = new Table().AddColumns("measurement", "result");
        table.AddRow($"raw SET NX PX + Lua delete, median of {settings.Rounds}", $"{raw:N0} /s");
        table.AddRow($"library acquire + release, median of {settings.Rounds}", $"{library.Rate:N0} /s");
        table.AddRow($"ratio library / raw, median of {settings.Rounds} paired rounds (floor 50 %)", $"{library.Ratio:P1}");
        table.AddRow($"library acquire that may wait (5 s, never has to) + release, median of {settings.Rounds}", $"{mayWait.Rate:N0} /s");
        table.AddRow($"ratio library, may wait / raw, median of {settings.Rounds} paired rounds", $"{mayWait.Ratio:P1}");
        foreach (var (mode, results) in new[] { ("polling", contended.Select(c => c.Polling)), ("queued", contended.Select(c => c.Queued)) })
        {
            // The round with the median grants/s stands for the mode; its waits and spread are shown.
            var sorted = results.OrderBy(r => r.Grants.PerSecond).ToList();
            var typical = sorted[sorted.Count / 2];
            table.AddRow($"contended {mode}: {settings.Workers} workers, one resource, median of {settings.Rounds}", $"{typical.Grants.PerSecond:N0} grants/s");
            table.AddRow($"  its wait p50 / p99 / max", string.Format(
                CultureInfo.InvariantCulture, "{0:F1} / {1:F1} / {2:F1} ms", typical.Percentile(0.5), typical.Percentile(0.99), typical.Percentile(1)));
            table.AddRow("  its grants per worker min / median / max", $"{typical.MinPerWorker} / {typical.MedianPerWorker} / {typical.MaxPerWorker}");
        }

        table.AddRow($"ratio queued / polling grants/s, median of {settings.Rounds} paired rounds (floor 80 %)", $"{contendedRatio:P1}");
        table.AddRow($"queued: lowest min / median grants per worker over {settings.Rounds} rounds (floor 50 %)", $"{fairness:P1}");
        return table;
    }

    private static string Rate(Measured measured) => $"{measured.PerSecond:N0}/s";

    private static string Describe(ContendedResult result) => string.Format(
        CultureInfo.InvariantCulture, "{0:N0} grants/s, p99 {1:F1} ms, per worker {2} / {3} / {4}",
        result.Grants.PerSecond, result.Percentile(0.99), result.MinPerWorker, result.MedianPerWorker, result.MaxPerWorker);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
