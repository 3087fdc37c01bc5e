using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Mesh.Bench.Identity;
using Mesh.Bench.Quotas;
using Mesh.Bench.RedisMemory;
using Mesh.Contracts;
using Mesh.Contracts.V1;
using Mesh.DevBroker;
using Mesh.Identity;
using Mesh.ServiceDefaults.Redis.Metrics;
using Spectre.Console;
using StackExchange.Redis;

namespace Mesh.Bench.Saga;

/// <summary>
/// Orders through the whole saga, as <c>./mesh.sh up</c> runs the mesh (workload certificates
/// and mutual TLS between components, quotas charged, Development Kafka settings) but from the
/// benchmark's Release builds, on its Redis and an in-process dev broker. Users keep a Subscribe
/// stream open; orders are placed at fixed offered rates, then in a closed loop (each worker
/// places its next order once the last one's notification arrived: the maximum), then at half
/// that maximum. Reports placed and settled rates, PlaceOrder-to-notification latency, where the
/// time goes per hop, Redis commands and Kafka records per order, and the same gateway's
/// ListSessions rate as the ceiling a call through the mesh cannot beat. Fails when an order is
/// lost (answered, never notified) or doubled.
/// </summary>
public static class SagaBenchmark
{
    private const string ClosedLoop = "closed loop";
    private const int RoundTripOrders = 256;
    private const int RoundTripWorkers = 16;
    private const int WarmUpRate = 100;
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(10);
    private const int MaxInFlight = 4_000;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(SagaSettings settings, CancellationToken cancellationToken)
    {
        using var broker = new MockKafkaCluster();
        broker.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        broker.CreateMeshTopics();

        var common = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Redis__Configuration"] = settings.Redis,
            ["Kafka__BootstrapServers"] = broker.Bootstrap,
            // Every order takes the same path: credit never runs out, quotas are charged but never bind.
            ["Users__DefaultCreditLimitCents"] = "1000000000000",
            ["Quotas__Default__Capacity"] = "1000000",
            ["Quotas__Default__RefillPerSecond"] = "1000000",
        };

        var redisOptions = ConfigurationOptions.Parse(settings.Redis);
        redisOptions.AllowAdmin = true; // INFO commandstats, CLIENT LIST
        redisOptions.ClientName = "bench";
        await using var redis = await ConnectionMultiplexer.ConnectAsync(redisOptions);
        var server = redis.GetServer(redis.GetEndPoints()[0]);

        return await StepProgress.ShowAsync(async steps =>
        {
            var services = await steps.RunAsync("start users, orders, notifications, gateway", 4, async progress =>
            {
                var started = await Task.WhenAll(
                    Start(settings.UsersDll, Workloads.Users),
                    Start(settings.OrdersDll, Workloads.Orders),
                    Start(settings.NotificationsDll, Workloads.Notifications));
                progress.Report(3);
                var gateway = await BenchProcess.StartAsync(settings.GatewayDll, new Dictionary<string, string>(Merge(common, BenchIdentity.EnvironmentFor(Workloads.Gateway)))
                {
                    ["Redis__Configuration"] = Named(Workloads.Gateway),
                    ["Services__Users"] = started[0].Address,
                    ["Services__Orders"] = started[1].Address,
                    ["Services__Notifications"] = started[2].Address,
                }, cancellationToken);
                return started.Append(gateway).ToList();
            }, _ => "SERVING");
            try
            {
                return await MeasureAsync(settings, steps, services[^1], server, broker.Bootstrap, cancellationToken);
            }
            finally
            {
                foreach (var service in services)
                {
                    await service.DisposeAsync();
                }
            }
        });

        Task<BenchProcess> Start(string dll, string workload) =>
            BenchProcess.StartAsync(dll, Merge(common, BenchIdentity.EnvironmentFor(workload), new Dictionary<string, string> { ["Redis__Configuration"] = Named(workload) }),
                cancellationToken, address => BenchIdentity.MutualTlsChannel(address, Workloads.Operator));

        // Each service's connections carry its name, so CLIENT LIST tells whose round trips MONITOR saw.
        string Named(string workload) => $"{settings.Redis},name={workload}";
    }

    private static async Task<int> MeasureAsync(
        SagaSettings settings, StepProgress steps, BenchProcess gateway, IServer redis, string bootstrap, CancellationToken cancellationToken)
    {
        var ledger = new OrderLedger();
        var client = new SagaClient(gateway.Channel, ledger);
        // A Redis given with --redis may have refused commands before this run; only this run's count.
        var refusedBefore = (await InfoAsync(redis)).OutOfMemoryErrors ?? 0;
        var users = await steps.RunAsync($"register and log in {settings.Users} users", settings.Users,
            progress => new OrderTraffic(gateway.Channel).RegisterAsync(settings.Users, 4, progress, cancellationToken),
            u => $"{u.Count:N0} users");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var streams = await steps.RunAsync($"open {settings.Users} Subscribe streams", 1,
            _ => client.SubscribeAllAsync(users, stop.Token), _ => "live");

        // JIT, connection pools and consumer assignments warm up; nothing of it is reported.
        var warmUp = await steps.RunAsync("warm up: one order per user, to its notification", users.Count,
            progress => ClosedLoopAsync(client, users, "warm-up", users.Count, TimeSpan.Zero, progress, cancellationToken), r => $"{r.Notified} notified");
        if (warmUp.Notified < users.Count)
        {
            AnsiConsole.MarkupLine("[red]The warm-up orders were not all notified: the mesh is not working.[/]");
            return 1;
        }

        // Then long enough at a moderate rate for the JIT's tiers to settle on the hot paths of every
        // process, so that the first measured phase does not pay for them.
        await steps.RunAsync($"warm up: {WarmUpRate}/s for {WarmUpTime.TotalSeconds:N0} s", (long)(WarmUpRate * WarmUpTime.TotalSeconds),
            progress => OfferedAsync(client, users, "warm-up", WarmUpRate, WarmUpTime, progress, cancellationToken), r => $"{r.Notified} notified");

        var listSessions = await steps.RunAsync($"baseline: ListSessions through the same gateway, {settings.Concurrency} in flight", (long)settings.Phase.TotalSeconds,
            progress => ListSessionsAsync(gateway, users, settings.Concurrency, settings.Phase, progress), r => r.ToString());
        var before = await MeshCounters.ReadAsync(redis, bootstrap);

        var phases = new List<PhaseResult>();
        foreach (var rate in settings.Rates)
        {
            phases.Add(await RunPhaseAsync(steps, $"{rate}/s", (long)(rate * settings.Phase.TotalSeconds),
                progress => OfferedAsync(client, users, $"{rate}/s", rate, settings.Phase, progress, cancellationToken)));
        }

        var maximum = await RunPhaseAsync(steps, $"{ClosedLoop}, {settings.Concurrency} in flight", (long)settings.Phase.TotalSeconds,
            progress => ClosedLoopAsync(client, users, ClosedLoop, settings.Concurrency, settings.Phase, progress, cancellationToken));
        phases.Add(maximum);
        var half = Math.Max(1, (int)(maximum.SettledPerSecond / 2));
        phases.Add(await RunPhaseAsync(steps, $"{half}/s (half the maximum)", (long)(half * settings.Phase.TotalSeconds),
            progress => OfferedAsync(client, users, $"{half}/s (half)", half, settings.Phase, progress, cancellationToken)));

        var used = (await MeshCounters.ReadAsync(redis, bootstrap)).Minus(before);
        var redisInfo = await InfoAsync(redis);
        if (redisInfo.OutOfMemoryErrors - refusedBefore is > 0 and var refused)
        {
            var limit = redisInfo.MaxMemory is { } bytes ? $"{bytes / (1024 * 1024):N0} MiB" : "unknown";
            AnsiConsole.MarkupLine($"[red]Redis refused {refused:N0} commands for lack of memory during the run (maxmemory {limit}): "
                + "the orders stalled on it, so nothing measured stands. Give the bench's Redis more (MESH_REDIS_MAXMEMORY) or run shorter phases (--seconds).[/]");
            return 1;
        }

        var roundTrips = await steps.RunAsync("Redis round trips per order (MONITOR): idle, then a closed loop", 2,
            progress => CountRoundTripsAsync(client, users, redis, progress, cancellationToken), r => $"{r.Values.Sum():N1} per order");
        var hops = await steps.RunAsync("read the saga's records back for the hop times", 1, _ => Task.Run(() => HopTimes.Read(bootstrap)), t => $"{t.Count:N0} orders");
        var listed = await steps.RunAsync("list every user's orders", users.Count,
            progress => ListedOrdersAsync(gateway, users, progress, cancellationToken), l => $"{l.Count:N0} orders");
        await stop.CancelAsync();
        await streams.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);

        var verdict = Verdict.Of(ledger, listed);
        var measuredOrders = phases.Sum(p => p.Notified);
        Report(settings, listSessions, phases, maximum, used, roundTrips, measuredOrders, ledger, hops, verdict);
        return verdict.Holds ? 0 : 1;
    }

    // Every section: the out-of-memory count is in errorstats, the limit in memory.
    private static async Task<RedisInfo> InfoAsync(IServer redis) => RedisInfo.Parse(await redis.InfoRawAsync("all") ?? "");

    /// <summary>
    /// Round trips per settled order by client: MONITOR counts an idle window (sweeps, metrics,
    /// stream leases), then a closed loop of <see cref="RoundTripOrders"/> orders; the idle rate
    /// is taken off. MONITOR slows Redis down, which is why it watches only this last step.
    /// </summary>
    private static async Task<IReadOnlyDictionary<(string Client, string Command), double>> CountRoundTripsAsync(
        SagaClient client, IReadOnlyList<BenchUser> users, IServer redis, IProgress<long> progress, CancellationToken cancellationToken)
    {
        var endPoint = (System.Net.IPEndPoint)redis.EndPoint;
        await using var monitor = await RoundTrips.WatchAsync(endPoint.Address.ToString(), endPoint.Port);
        var idleFor = TimeSpan.FromSeconds(5);
        var clock = Stopwatch.StartNew();
        await Task.Delay(idleFor, cancellationToken);
        var idle = await monitor.ByClientAsync(redis);
        var idleElapsed = clock.Elapsed;
        progress.Report(1);

        clock.Restart();
        var orders = 0L;
        for (var next = 0; next < RoundTripOrders; next += RoundTripWorkers)
        {
            var batch = await ClosedLoopAsync(client, users, "round trips", RoundTripWorkers, TimeSpan.Zero, new Progress<long>(), cancellationToken);
            orders += batch.Notified;
        }

        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken); // what follows a notification: offsets, queue removals
        var busy = await monitor.ByClientAsync(redis);
        var scale = clock.Elapsed / idleElapsed;
        progress.Report(2);
        return busy.Where(b => b.Key.Client != "bench").ToDictionary(b => b.Key,
            b => Math.Max(0, (b.Value - idle.GetValueOrDefault(b.Key) - (idle.GetValueOrDefault(b.Key) * scale)) / Math.Max(1, orders)));
    }

    private static Task<PhaseResult> RunPhaseAsync(StepProgress steps, string name, long total, Func<IProgress<long>, Task<PhaseResult>> run) =>
        steps.RunAsync(name, total, run, r => $"{r.SettledPerSecond:N0} settled/s, p99 {r.P99.TotalMilliseconds:N0} ms");

    /// <summary>Starts orders at <paramref name="rate"/> per second whatever the answers (an open loop), then waits for their notifications.</summary>
    private static async Task<PhaseResult> OfferedAsync(
        SagaClient client, IReadOnlyList<BenchUser> users, string phase, int rate, TimeSpan duration, IProgress<long> progress, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var calls = new List<Task<OrderTrack?>>();
        var inFlight = 0;
        long fired = 0;
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            var due = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate);
            for (; fired < due; fired++)
            {
                if (Volatile.Read(ref inFlight) >= MaxInFlight)
                {
                    continue; // The mesh fell this far behind: the offer is shed, and shows as fewer placed.
                }

                Interlocked.Increment(ref inFlight);
                calls.Add(PlaceCountedAsync(client.PlaceAsync(users[(int)(fired % users.Count)], phase, cancellationToken)));
            }

            progress.Report(fired);
            await Task.Delay(1, cancellationToken);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var placed = (await Task.WhenAll(calls)).OfType<OrderTrack>().ToList();
        await DrainAsync(placed, cancellationToken);
        return PhaseResult.Of(phase, placed, elapsed, started);

        async Task<OrderTrack?> PlaceCountedAsync(Task<OrderTrack?> call)
        {
            try
            {
                return await call;
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }
    }

    /// <summary>
    /// <paramref name="workers"/> users each place an order and wait for its notification before the
    /// next, for <paramref name="duration"/> (or once each, when zero).
    /// </summary>
    private static async Task<PhaseResult> ClosedLoopAsync(
        SagaClient client, IReadOnlyList<BenchUser> users, string phase, int workers, TimeSpan duration, IProgress<long> progress, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var placed = new List<OrderTrack>[workers];
        long settled = 0;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            var mine = placed[worker] = [];
            do
            {
                var order = await client.PlaceAsync(users[worker % users.Count], phase, cancellationToken);
                if (order is null)
                {
                    continue;
                }

                mine.Add(order);
                try
                {
                    await order.Notified.WaitAsync(DrainTimeout, cancellationToken);
                }
                catch (TimeoutException)
                {
                    return; // Lost, or the mesh stalled: the verdict says which.
                }

                progress.Report(duration == TimeSpan.Zero ? Interlocked.Increment(ref settled) : (long)Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
            while (Stopwatch.GetElapsedTime(started) < duration);
        }, cancellationToken)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        return PhaseResult.Of(phase, placed.SelectMany(p => p).ToList(), elapsed, started);
    }

    private static async Task DrainAsync(IReadOnlyList<OrderTrack> orders, CancellationToken cancellationToken) =>
        await Task.WhenAny(Task.WhenAll(orders.Select(o => o.Notified)), Task.Delay(DrainTimeout, cancellationToken));

    private static async Task<LoadResult> ListSessionsAsync(BenchProcess gateway, IReadOnlyList<BenchUser> users, int concurrency, TimeSpan duration, IProgress<long> progress)
    {
        var auth = new Auth.AuthClient(gateway.Channel);
        long next = 0;
        var started = Stopwatch.GetTimestamp();
        using var ticker = new Timer(_ => progress.Report((long)Stopwatch.GetElapsedTime(started).TotalSeconds), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        return await LoadGenerator.RunAsync(async () =>
        {
            var user = users[(int)(Interlocked.Increment(ref next) % users.Count)];
            await auth.ListSessionsAsync(new ListSessionsRequest(), user.Headers, DateTime.UtcNow.AddSeconds(10));
        }, concurrency, duration);
    }

    /// <summary>Every order each user's ListOrders shows, by id.</summary>
    private static async Task<IReadOnlyList<string>> ListedOrdersAsync(BenchProcess gateway, IReadOnlyList<BenchUser> users, IProgress<long> progress, CancellationToken cancellationToken)
    {
        var orders = new Orders.OrdersClient(gateway.Channel);
        var listed = new List<string>();
        foreach (var user in users)
        {
            var token = "";
            do
            {
                var page = await orders.ListOrdersAsync(new ListOrdersRequest { PageSize = 100, PageToken = token }, user.Headers,
                    DateTime.UtcNow.AddSeconds(30), cancellationToken);
                listed.AddRange(page.Orders.Select(o => o.OrderId));
                token = page.NextPageToken;
            }
            while (token.Length > 0);
            progress.Report(listed.Count);
        }

        return listed;
    }

    private static IReadOnlyDictionary<string, string> Merge(params IReadOnlyDictionary<string, string>[] parts) =>
        parts.SelectMany(p => p).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    private static void Report(SagaSettings settings, LoadResult listSessions, IReadOnlyList<PhaseResult> phases, PhaseResult maximum,
        MeshCounters used, IReadOnlyDictionary<(string Client, string Command), double> roundTrips, long orders, OrderLedger ledger, IReadOnlyDictionary<string, DateTime[]> hops, Verdict verdict)
    {
        // Plain aligned text, unwrapped: readable in a terminal, a log and a pasted Markdown block alike.
        var report = Console.Out;
        string Ms(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:N0}");
        report.WriteLine();
        report.WriteLine($"{settings.Users} users, each with a Subscribe stream; phases of {settings.Phase.TotalSeconds:N0} s; latency: PlaceOrder call to the notification on the stream (ms)");
        report.WriteLine();
        report.WriteLine($"{"phase",-28} {"placed/s",9} {"settled/s",10} {"notified",9} {"p50",6} {"p99",6} {"max",6} {"answer p50",11} {"answer p99",11}");
        foreach (var phase in phases)
        {
            report.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{phase.Name,-28} {phase.PlacedPerSecond,9:N0} {phase.SettledPerSecond,10:N0} {$"{phase.Notified}/{phase.Placed}",9} {Ms(phase.P50),6} {Ms(phase.P99),6} {Ms(phase.Max),6} {Ms(phase.AnswerP50),11} {Ms(phase.AnswerP99),11}"));
        }

        report.WriteLine();
        report.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ListSessions through the same gateway, {settings.Concurrency} in flight: {listSessions}"));
        report.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"saga orders/s ÷ ListSessions/s: {maximum.SettledPerSecond:N0} / {listSessions.PerSecond:N0} = {maximum.SettledPerSecond / listSessions.PerSecond:P1}"));

        report.WriteLine();
        report.WriteLine("where the time goes (ms, from the records' producer timestamps; each hop includes the previous publish, the fetch and the handler)");
        report.WriteLine($"{"phase",-28}" + string.Concat(HopTimes.Hops.Select(h => $" {h + " p50/p99",-38}")));
        foreach (var phase in phases)
        {
            var perHop = ledger.Entries.Where(e => e.Value.Phase == phase.Name)
                .Select(e => HopTimes.Of(e.Value, hops, e.Key)).OfType<TimeSpan[]>().ToList();
            if (perHop.Count == 0)
            {
                continue;
            }

            report.WriteLine($"{phase.Name,-28}" + string.Concat(Enumerable.Range(0, HopTimes.Hops.Length).Select(h =>
            {
                var sorted = perHop.Select(p => p[h]).Order().ToArray();
                return $" {$"{Ms(PhaseResult.Percentile(sorted, 0.5))} / {Ms(PhaseResult.Percentile(sorted, 0.99))}",-38}";
            })));
        }

        report.WriteLine();
        report.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"per settled order, over the {orders:N0} orders of the measured phases:"));
        report.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  Redis commands {Per(used.TotalRedisCalls):N1} (all services and the gateway; top: {string.Join(", ", used.RedisCalls.Where(c => c.Value > 0).OrderByDescending(c => c.Value).Take(8).Select(c => $"{c.Key} {Per(c.Value):N1}"))})"));
        report.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  Kafka records {Per(used.TotalRecords):N2} ({string.Join(", ", used.Records.Where(r => r.Value > 0).OrderByDescending(r => r.Value).Select(r => $"{r.Key} {Per(r.Value):N2}"))})"));
        report.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  Redis round trips {roundTrips.Values.Sum():N1} (MONITOR over {RoundTripOrders} more orders, net of an idle window; a script is one round trip):"));
        foreach (var client in roundTrips.GroupBy(r => r.Key.Client).Select(g => (Name: g.Key, Total: g.Sum(r => r.Value), Commands: g.ToList()))
            .Where(c => c.Total >= 0.05).OrderByDescending(c => c.Total))
        {
            report.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {client.Name,-14} {client.Total,5:N1}  {string.Join(", ", client.Commands.Where(c => c.Value >= 0.05).OrderByDescending(c => c.Value).Select(c => $"{c.Key.Command} {c.Value:N1}"))}"));
        }
        report.WriteLine();
        report.WriteLine(verdict.ToString());

        double Per(long count) => orders == 0 ? 0 : count / (double)orders;
    }
}
