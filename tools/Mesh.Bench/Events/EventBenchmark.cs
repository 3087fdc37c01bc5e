using System.Globalization;
using System.Runtime;
using Mesh.Bench.Infrastructure;
using Mesh.Bench.Locks;
using Mesh.DevBroker;
using Spectre.Console;

namespace Mesh.Bench.Events;

/// <summary>
/// The <c>events</c> benchmark, all on the in-process dev broker: publish throughput through the
/// library against the raw producer in paired rounds (ratio = median of the rounds' ratios, floor
/// 80 % against the like-for-like ProduceAsync baseline), end-to-end latency at two offered
/// rates with the services' Kafka settings and at the higher one with shorter client waits
/// (<see cref="KafkaTuning"/>), then consume throughput against a raw consumer in paired rounds.
/// Exits 1 when the publish or the consume ratio is below its floor.
/// </summary>
public static class EventBenchmark
{
    public const double Floor = 0.8;

    /// <summary>Consume through the library with a no-op handler against the raw consumer (issue 13).</summary>
    public const double ConsumeFloor = 0.95;

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);
    // The runtime moves a method to its optimised tier after 30 calls (tiered compilation's call
    // count), and each round starts a client or host once: only after 30 rounds has their start-up
    // code stopped compiling. With 3 the library's host start-up kept the JIT busy through the
    // measured rounds (0.5 µs per record) and the ratio rose round after round (docs/BENCHMARKS.md,
    // Events, run AA).
    private const int ConsumeWarmUpRounds = 30;

    // A pause before every consume phase, so that what the previous phase left running (its
    // client's group on the broker, spinning thread-pool workers, background JIT) winds down
    // before the next one starts: without it each side ran faster after its own kind, so which
    // side went first moved the round's ratio (docs/BENCHMARKS.md, Events, run AD). No forced
    // collection: it made every phase fault its memory in afresh, a cost alike on both sides
    // that pulls the ratio towards 100 %.
    private static readonly TimeSpan ConsumeSettle = TimeSpan.FromMilliseconds(250);

    public static async Task<int> RunAsync(EventBenchmarkSettings settings, CancellationToken cancellationToken)
    {
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"dev broker: librdkafka {MockKafkaCluster.LibrdkafkaVersion} mock cluster in this process, 1 broker, {BenchEvents.Contract.Partitions} partitions; OrderPlaced payload {BenchEvents.PayloadSize} bytes")));
        // Both sides of every comparison share this process and so its GC; ./mesh.sh bench gives it the components' settings.
        AnsiConsole.MarkupLine(Markup.Escape(
            $"runtime: {(GCSettings.IsServerGC ? "server" : "workstation")} GC, gen-0 budget " +
            (Environment.GetEnvironmentVariable("DOTNET_GCgen0size") is { Length: > 0 } budget ? $"DOTNET_GCgen0size={budget}" : "the runtime's default")));
        var inFlight = settings.InFlight;
        var result = await PhaseRunner.ShowAsync(async phases =>
        {
            await phases.RunAsync("publish warm-up, raw", WarmUp, () => PublishBenchmark.RawProduceAsync(inFlight, WarmUp, cancellationToken), Rate);
            await phases.RunAsync("publish warm-up, library", WarmUp, () => PublishBenchmark.LibraryAsync(inFlight, WarmUp, cancellationToken), Rate);
            var raw = new List<Measured>();
            var library = new List<Measured>();
            var handler = new List<Measured>();
            for (var round = 1; round <= settings.Rounds; round++)
            {
                var of = $"{round}/{settings.Rounds}";
                raw.Add(await phases.RunAsync($"publish raw ProduceAsync {of}", settings.Phase,
                    () => PublishBenchmark.RawProduceAsync(inFlight, settings.Phase, cancellationToken), Rate));
                library.Add(await phases.RunAsync($"publish library {of}", settings.Phase,
                    () => PublishBenchmark.LibraryAsync(inFlight, settings.Phase, cancellationToken), Rate));
                handler.Add(await phases.RunAsync($"publish raw Produce + delivery handler {of}", settings.Phase,
                    () => PublishBenchmark.RawDeliveryHandlerAsync(inFlight, settings.Phase, cancellationToken), Rate));
            }

            var latencies = new List<LatencyResult>();
            foreach (var (rate, tuning) in new[] { (1_000, KafkaTuning.Services), (10_000, KafkaTuning.Services), (10_000, KafkaTuning.LowLatency) })
            {
                latencies.Add(await phases.RunAsync($"end-to-end latency at {rate:N0}/s, {tuning.Name}", settings.LatencyPhase,
                    () => LatencyBenchmark.RunAsync(rate, settings.LatencyPhase, tuning, cancellationToken), r => r.ToString()));
            }

            using var broker = new BenchBroker();
            var consume = new ConsumeBenchmark(broker, settings.ConsumeRecords);
            await phases.RunAsync($"consume: pre-fill {settings.ConsumeRecords:N0} records", TimeSpan.FromSeconds(2),
                async () => { await consume.PrefillAsync(cancellationToken); return true; }, _ => "done");
            Task<ConsumeMeasured> Raw(string of, string phase = "") =>
                phases.RunAsync($"consume {phase}raw {of}", TimeSpan.FromSeconds(2), async () =>
                {
                    await Task.Delay(ConsumeSettle, cancellationToken);
                    return await consume.RawAsync(cancellationToken);
                }, Describe);
            Task<ConsumeMeasured> Library(string of, string phase = "") =>
                phases.RunAsync($"consume {phase}library {of}", TimeSpan.FromSeconds(5), async () =>
                {
                    await Task.Delay(ConsumeSettle, cancellationToken);
                    return await consume.LibraryAsync(cancellationToken);
                }, Describe);

            // Unmeasured pairs first, until both sides' code, the per-record paths and the start-up
            // each round repeats, is at the tier a running service has (the JIT row then near 0).
            // Each round still builds a new client or host, so both pay their start-up inside it.
            for (var round = 1; round <= ConsumeWarmUpRounds; round++)
            {
                await Raw($"{round}/{ConsumeWarmUpRounds}", "warm-up ");
                await Library($"{round}/{ConsumeWarmUpRounds}", "warm-up ");
            }

            var rawConsume = new List<ConsumeMeasured>();
            var libraryConsume = new List<ConsumeMeasured>();
            for (var round = 1; round <= settings.ConsumeRounds; round++)
            {
                var of = $"{round}/{settings.ConsumeRounds}";
                // Each side goes first in every other round, so that neither always inherits the
                // other's leftovers (a heap to collect, librdkafka threads winding down).
                if (RawFirst(round))
                {
                    rawConsume.Add(await Raw(of));
                    libraryConsume.Add(await Library(of));
                }
                else
                {
                    libraryConsume.Add(await Library(of));
                    rawConsume.Add(await Raw(of));
                }
            }

            return new Results(raw, library, handler, latencies, rawConsume, libraryConsume);
        });

        var publishRatio = MedianRatio(result.Library, result.Raw);
        var consumeRatio = MedianRatio(Whole(result.LibraryConsume), Whole(result.RawConsume));
        AnsiConsole.Write(Report(settings, result, publishRatio, consumeRatio));
        if (publishRatio < Floor)
        {
            AnsiConsole.MarkupLine($"[red]The library published {publishRatio:P0} of the raw ProduceAsync rate, below the {Floor:P0} floor.[/]");
        }

        if (consumeRatio < ConsumeFloor)
        {
            AnsiConsole.MarkupLine($"[red]The library consumed {consumeRatio:P1} of the raw consumer's rate, below the {ConsumeFloor:P0} floor.[/]");
        }

        return publishRatio >= Floor && consumeRatio >= ConsumeFloor ? 0 : 1;
    }

    private static Table Report(EventBenchmarkSettings settings, Results r, double publishRatio, double consumeRatio)
    {
        var rounds = $"median of {settings.Rounds}";
        var table = new Table().AddColumns("measurement", "result");
        table.AddRow($"publish, raw ProduceAsync, {settings.InFlight} in flight, {rounds}", $"{Median(r.Raw):N0} events/s");
        table.AddRow($"publish, library PublishAsync, {settings.InFlight} in flight, {rounds}", $"{Median(r.Library):N0} events/s");
        table.AddRow($"publish, raw Produce + delivery handler, {settings.InFlight} in flight, {rounds}", $"{Median(r.Handler):N0} events/s");
        table.AddRow($"[bold]ratio library / raw ProduceAsync[/], {rounds} paired rounds (floor {Floor:P0})", $"[bold]{publishRatio:P1}[/] ({Ratios(r.Library, r.Raw)})");
        table.AddRow($"ratio library / raw Produce + delivery handler, {rounds} paired rounds", $"{MedianRatio(r.Library, r.Handler):P1} ({Ratios(r.Library, r.Handler)})");
        foreach (var latency in r.Latencies)
        {
            table.AddRow(Markup.Escape($"end-to-end publish -> handler at {latency.TargetPerSecond:N0}/s offered ({latency.OfferedPerSecond:N0}/s achieved) for {settings.LatencyPhase.TotalSeconds:0} s, {latency.Tuning}"),
                Markup.Escape(latency.ToString()));
        }

        var consumeRounds = $"median of {settings.ConsumeRounds}";
        table.AddRow($"consume {settings.ConsumeRecords:N0} records, raw consumer, {consumeRounds}", $"{Median(Whole(r.RawConsume)):N0} events/s");
        table.AddRow($"consume {settings.ConsumeRecords:N0} records, library with a no-op handler, {consumeRounds}", $"{Median(Whole(r.LibraryConsume)):N0} events/s");
        table.AddRow($"ratio library / raw consume, {consumeRounds} paired rounds (floor {ConsumeFloor:P0})",
            $"{consumeRatio:P1} ({Ratios(Whole(r.LibraryConsume), Whole(r.RawConsume))})");
        // Not judged: whether going first or second still favours a side.
        table.AddRow($"ratio library / raw, rounds raw ran first / rounds the library ran first, medians (not judged)",
            $"{OrderRatio(r, rawFirst: true)} / {OrderRatio(r, rawFirst: false)}");
        // Not judged: what the rounds' spread is made of. Before the first record both sides join the
        // group and wait for the first fetch; after it they read what librdkafka prefetched.
        table.AddRow($"time to the first record (group join, first fetch), raw / library, {consumeRounds}",
            $"{MedianMilliseconds(r.RawConsume):N0} ms / {MedianMilliseconds(r.LibraryConsume):N0} ms");
        table.AddRow($"ratio library / raw after the first record, {consumeRounds} paired rounds (not judged)",
            $"{MedianRatio(AfterFirst(r.LibraryConsume), AfterFirst(r.RawConsume)):P1} ({Ratios(AfterFirst(r.LibraryConsume), AfterFirst(r.RawConsume))})");
        // Not judged either: the CPU the whole process spent per record (broker included), which
        // the host's other load does not move the way it moves rates.
        var rawCpu = Median(r.RawConsume.Select(p => p.CpuMicrosecondsPerRecord));
        var libraryCpu = Median(r.LibraryConsume.Select(p => p.CpuMicrosecondsPerRecord));
        table.AddRow($"process CPU per record, raw / library, {consumeRounds} (not judged)",
            $"{rawCpu:N2} µs / {libraryCpu:N2} µs (library {libraryCpu / rawCpu:P0} of raw)");
        // Where the library's extra CPU goes: its handlers run on the thread pool, the raw loop's on its poll thread.
        table.AddRow($"CPU per record by thread, raw / library, {consumeRounds} (not judged)", string.Join(", ", ThreadCpu.Groups.Select(group =>
            $"{group} {Median(r.RawConsume.Select(p => p.CpuMicrosecondsPerRecordOn(group))):N2} / {Median(r.LibraryConsume.Select(p => p.CpuMicrosecondsPerRecordOn(group))):N2} µs")));
        table.AddRow($"managed bytes allocated per record, raw / library, {consumeRounds} (not judged)",
            $"{Median(r.RawConsume.Select(p => p.BytesPerRecord)):N0} B / {Median(r.LibraryConsume.Select(p => p.BytesPerRecord)):N0} B");
        return table;
    }

    private static string Rate(Measured measured) => $"{measured.PerSecond:N0}/s";

    private static string Describe(ConsumeMeasured measured) =>
        $"{measured.Whole.PerSecond:N0}/s, first record after {measured.ToFirst.TotalMilliseconds:N0} ms, {measured.CpuMicrosecondsPerRecord:N2} µs CPU and {measured.BytesPerRecord:N0} B allocated per record";

    private static List<Measured> Whole(IEnumerable<ConsumeMeasured> phases) => [.. phases.Select(p => p.Whole)];

    private static bool RawFirst(int round) => round % 2 == 1;

    // Round n is at index n - 1; a single round has no library-first one.
    private static string OrderRatio(Results r, bool rawFirst)
    {
        var library = Whole(r.LibraryConsume.Where((_, index) => RawFirst(index + 1) == rawFirst));
        var raw = Whole(r.RawConsume.Where((_, index) => RawFirst(index + 1) == rawFirst));
        return raw.Count == 0 ? "none" : MedianRatio(library, raw).ToString("P1", CultureInfo.InvariantCulture);
    }

    private static List<Measured> AfterFirst(IEnumerable<ConsumeMeasured> phases) => [.. phases.Select(p => p.AfterFirst)];

    private static double MedianMilliseconds(IEnumerable<ConsumeMeasured> phases) => Median(phases.Select(p => p.ToFirst.TotalMilliseconds));

    private static double Median(IEnumerable<Measured> values) => Median(values.Select(v => v.PerSecond));

    private static double MedianRatio(IReadOnlyList<Measured> candidate, IReadOnlyList<Measured> baseline) =>
        Median(candidate.Zip(baseline, (c, b) => c.PerSecond / b.PerSecond));

    private static string Ratios(IReadOnlyList<Measured> candidate, IReadOnlyList<Measured> baseline) =>
        string.Join(", ", candidate.Zip(baseline, (c, b) => (c.PerSecond / b.PerSecond).ToString("P1", CultureInfo.InvariantCulture)));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private sealed record Results(
        IReadOnlyList<Measured> Raw,
        IReadOnlyList<Measured> Library,
        IReadOnlyList<Measured> Handler,
        IReadOnlyList<LatencyResult> Latencies,
        IReadOnlyList<ConsumeMeasured> RawConsume,
        IReadOnlyList<ConsumeMeasured> LibraryConsume);
}
