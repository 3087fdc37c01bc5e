using System.Globalization;
using Mesh.Coordination;
using Mesh.Coordination.Locks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using StackExchange.Redis;

namespace Mesh.Bench.Locks;

/// <summary>
/// The <c>locks</c> benchmark: after a warm-up, rounds of one raw phase followed at once by one
/// library phase, so that noise on a shared machine hits both of a pair alike; the ratio is the
/// median of the rounds' library/raw ratios. Then the contended phase. Exits 1 when that ratio
/// is below the 50 % floor.
/// </summary>
public static class LockBenchmark
{
    public const double Floor = 0.5;

    public static async Task<int> RunAsync(LockBenchmarkSettings settings, CancellationToken cancellationToken)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(settings.Redis);
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConnectionMultiplexer>(redis)
            .AddDistributedLocks(new ConfigurationBuilder().Build())
            .BuildServiceProvider(validateScopes: true);
        var locks = services.GetRequiredService<ILockManager>();
        var uncontended = new UncontendedBenchmark(locks, redis.GetDatabase());
        var warmUp = TimeSpan.FromSeconds(1);

        var (raw, library, contended) = await PhaseRunner.ShowAsync(async phases =>
        {
            await phases.RunAsync("warm-up raw", warmUp, () => uncontended.RawAsync(warmUp, cancellationToken), Rate);
            await phases.RunAsync("warm-up library", warmUp, () => uncontended.LibraryAsync(warmUp, cancellationToken), Rate);
            var raw = new List<Measured>();
            var library = new List<Measured>();
            for (var round = 1; round <= settings.Rounds; round++)
            {
                raw.Add(await phases.RunAsync($"raw {round}/{settings.Rounds}", settings.Phase,
                    () => uncontended.RawAsync(settings.Phase, cancellationToken), Rate));
                library.Add(await phases.RunAsync($"library {round}/{settings.Rounds}", settings.Phase,
                    () => uncontended.LibraryAsync(settings.Phase, cancellationToken), Rate));
            }

            var contended = await phases.RunAsync($"contended, {settings.Workers} workers", settings.Phase,
                () => new ContendedBenchmark(locks).RunAsync(settings.Workers, settings.RetryInterval, settings.Phase, cancellationToken),
                r => $"{Rate(r.Grants)} grants");
            return (raw, library, contended);
        });

        var ratio = Median(library.Zip(raw, (l, r) => l.PerSecond / r.PerSecond));
        AnsiConsole.Write(Report(settings, Median(raw.Select(r => r.PerSecond)), Median(library.Select(l => l.PerSecond)), ratio, contended));
        if (ratio >= Floor)
        {
            return 0;
        }

        AnsiConsole.MarkupLine($"[red]The library reached {ratio:P0} of the raw rate, below the {Floor:P0} floor.[/]");
        return 1;
    }

    private static Table Report(LockBenchmarkSettings settings, double raw, double library, double ratio, ContendedResult contended)
    {
        var perWorker = contended.SortedGrantsPerWorker;
        var table = new Table().AddColumns("measurement", "result");
        table.AddRow($"raw SET NX PX + Lua delete, median of {settings.Rounds}", $"{raw:N0} /s");
        table.AddRow($"library acquire + release, median of {settings.Rounds}", $"{library:N0} /s");
        table.AddRow($"ratio library / raw, median of {settings.Rounds} paired rounds (floor 50 %)", $"{ratio:P1}");
        table.AddRow($"contended: {settings.Workers} workers, one resource", $"{contended.Grants.PerSecond:N0} grants/s");
        table.AddRow("contended wait p50 / p99 / max", string.Format(
            CultureInfo.InvariantCulture, "{0:F1} / {1:F1} / {2:F1} ms", contended.Percentile(0.5), contended.Percentile(0.99), contended.Percentile(1)));
        table.AddRow("grants per worker min / median / max", $"{perWorker[0]} / {perWorker[perWorker.Count / 2]} / {perWorker[^1]}");
        return table;
    }

    private static string Rate(Measured measured) => $"{measured.PerSecond:N0}/s";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
