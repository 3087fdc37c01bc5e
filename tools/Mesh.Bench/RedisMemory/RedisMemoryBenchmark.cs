using System.Globalization;
using Mesh.Bench.Quotas;
using Mesh.Contracts;
using Mesh.Contracts.V1;
using Mesh.DevBroker;
using Spectre.Console;

namespace Mesh.Bench.RedisMemory;

/// <summary>
/// What an order costs in Redis: the users, orders and notifications services and the gateway
/// (Release builds, insecure mode: TLS changes no byte in Redis) on the given Redis and an
/// in-process dev broker, with every retention window shortened to a minute or less. Users
/// register and log in, place orders through the gateway, and the saga settles them; Redis is
/// measured empty (the baseline), once every order has settled, and again once every window has
/// passed, before and after one more order (the trims of views and counted ids run on writes).
/// </summary>
public static class RedisMemoryBenchmark
{
    // Every window the services keep something for, shortened so the run ends in minutes: the
    // redelivery horizon and decision retention (a minute: an event the saga takes longer than
    // the horizon to reach would be skipped, so the horizon is no shorter than the longest window
    // anyway), idempotency claims and lock fences (their 1-minute minimum), idle sessions (a
    // minute; a user's session index lives until the sessions' absolute lifetime).
    private static readonly Dictionary<string, string> Windows = new()
    {
        ["Events__RedeliveryHorizon"] = "00:01:00",
        ["Events__ClockSkewAllowance"] = "00:00:00",
        ["Events__DecisionRetention"] = "00:01:00",
        ["Orders__IdempotencyRetention"] = "00:01:00",
        ["Locks__FenceRetention"] = "00:01:00",
        ["Sessions__IdleTimeout"] = "00:01:00",
        ["Sessions__MaxLifetime"] = "00:15:00",
    };

    private static readonly TimeSpan LongestWindow = TimeSpan.FromMinutes(1);

    // Redis expires keys in the background by sampling; a little slack lets it catch up.
    private static readonly TimeSpan ExpirySlack = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(RedisMemorySettings settings, CancellationToken cancellationToken)
    {
        using var broker = new MockKafkaCluster();
        broker.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        broker.CreateMeshTopics();

        var environment = new Dictionary<string, string>(Windows)
        {
            ["Redis__Configuration"] = settings.Redis,
            ["Kafka__BootstrapServers"] = broker.Bootstrap,
            // As the services' appsettings.Development.json tune them for the mock cluster.
            ["Kafka__Consumer__fetch.wait.max.ms"] = "10",
            ["Kafka__Consumer__session.timeout.ms"] = "6000",
            ["Identity__Insecure"] = "true",
            // Buckets hold a few seconds of state each; every call here comes from one address.
            ["Quotas__Enabled"] = "false",
        };

        await using var probe = await RedisMemoryProbe.ConnectAsync(settings.Redis);
        return await StepProgress.ShowAsync(async steps =>
        {
            var services = await steps.RunAsync("start users, orders, notifications, gateway", 4, async progress =>
            {
                var started = await Task.WhenAll(
                    BenchProcess.StartAsync(settings.UsersDll, environment, cancellationToken),
                    BenchProcess.StartAsync(settings.OrdersDll, environment, cancellationToken),
                    BenchProcess.StartAsync(settings.NotificationsDll, environment, cancellationToken));
                progress.Report(3);
                var gateway = await BenchProcess.StartAsync(settings.GatewayDll, new Dictionary<string, string>(environment)
                {
                    ["Services__Users"] = started[0].Address,
                    ["Services__Orders"] = started[1].Address,
                    ["Services__Notifications"] = started[2].Address,
                }, cancellationToken);
                return started.Append(gateway).ToList();
            }, _ => "SERVING");
            try
            {
                return await MeasureAsync(settings, steps, services[^1], probe, cancellationToken);
            }
            finally
            {
                foreach (var service in services)
                {
                    await service.DisposeAsync();
                }
            }
        });
    }

    private static async Task<int> MeasureAsync(
        RedisMemorySettings settings, StepProgress steps, BenchProcess gateway, RedisMemoryProbe probe, CancellationToken cancellationToken)
    {
        var traffic = new OrderTraffic(gateway.Channel);
        var empty = await probe.MeasureAsync();

        var users = await steps.RunAsync($"register and log in {settings.Users} users", settings.Users,
            progress => traffic.RegisterAsync(settings.Users, Math.Min(settings.Concurrency, 4), progress, cancellationToken),
            u => $"{u.Count:N0} users");
        var userIds = users.Select(u => u.UserId).ToList();
        var registered = await probe.MeasureAsync();

        var placed = await steps.RunAsync($"place {settings.Orders:N0} orders", settings.Orders,
            progress => traffic.PlaceAsync(users, settings.Orders, settings.Concurrency, progress, cancellationToken),
            n => $"{n:N0} accepted");
        if (!await SettleAsync(steps, probe, userIds, placed, cancellationToken))
        {
            return 1;
        }

        var afterOrders = await probe.MeasureAsync();
        var outcomes = await probe.OutcomesAsync(userIds);

        await steps.RunAsync($"wait past the longest window ({LongestWindow.TotalSeconds:N0} s) and Redis's expiry", (long)(LongestWindow + ExpirySlack).TotalSeconds,
            async progress =>
            {
                for (var second = 1; second <= (LongestWindow + ExpirySlack).TotalSeconds; second++)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                    progress.Report(second);
                }

                return 0;
            }, _ => "done");
        var afterWindows = await probe.MeasureAsync();

        // One more order, as ongoing traffic would place: it runs the trims that only writes run.
        var last = await traffic.LoginAsync(users[0].Email, cancellationToken);
        await traffic.PlaceOneAsync(last, "bench-after-windows", 0, cancellationToken);
        if (!await SettleAsync(steps, probe, userIds, placed + 1, cancellationToken))
        {
            return 1;
        }

        var afterTrims = await probe.MeasureAsync();
        Report(settings, placed, outcomes, [("empty", empty), ("users", registered), ("settled", afterOrders),
            ("windows", afterWindows), ("one more", afterTrims)]);
        return 0;
    }

    private static async Task<bool> SettleAsync(StepProgress steps, RedisMemoryProbe probe, IReadOnlyList<string> userIds, long expected, CancellationToken cancellationToken)
    {
        var (settled, queued) = await steps.RunAsync("wait until every order settled and was notified", expected, async progress =>
        {
            var deadline = DateTime.UtcNow + SettleTimeout;
            while (true)
            {
                var state = await probe.SettledAsync(userIds);
                progress.Report(state.Settled);
                if ((state.Settled >= expected && state.Queued == 0) || DateTime.UtcNow > deadline)
                {
                    return state;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }, s => $"{s.Settled:N0} settled, {s.Queued:N0} queued");
        if (settled >= expected && queued == 0)
        {
            return true;
        }

        AnsiConsole.MarkupLine($"[red]Only {settled:N0} of {expected:N0} orders settled within {SettleTimeout.TotalMinutes:N0} min ({queued:N0} still queued).[/]");
        return false;
    }

    private static void Report(RedisMemorySettings settings, long orders, IReadOnlyDictionary<OrderStatus, long> outcomes,
        IReadOnlyList<(string Name, MemorySnapshot Snapshot)> moments)
    {
        // Plain aligned text, unwrapped: readable in a terminal, a log and a pasted Markdown block alike.
        var (empty, registered) = (moments[0].Snapshot, moments[1].Snapshot);
        var report = Console.Out;
        report.WriteLine();
        report.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{orders:N0} orders from {settings.Users:N0} users: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Value:N0} {o.Key.ToString().ToLowerInvariant()}"))}"));
        report.WriteLine();
        report.WriteLine($"{"moment",-10} {"used_memory",12} {"× empty",8} {"over empty",11} {"per order",10} {"per order*",11} {"keys",8}");
        foreach (var (name, snapshot) in moments)
        {
            var ordered = snapshot != empty && snapshot != registered;
            report.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-10} {Bytes(snapshot.UsedMemory),12} {snapshot.UsedMemory / (double)empty.UsedMemory,8:N2} {Bytes(snapshot.UsedMemory - empty.UsedMemory),11} " +
                $"{(ordered ? $"{(snapshot.UsedMemory - empty.UsedMemory) / (double)orders:N0} B" : "-"),10} " +
                $"{(ordered ? $"{(snapshot.UsedMemory - registered.UsedMemory) / (double)orders:N0} B" : "-"),11} {snapshot.Keys,8:N0}"));
        }

        report.WriteLine();
        report.WriteLine($"empty: the services started, nothing stored; users: {settings.Users:N0} users registered and logged in; settled: every order settled");
        report.WriteLine($"and notified; windows: {(LongestWindow + ExpirySlack).TotalSeconds:N0} s later, every retention window passed; one more: after one more order, whose");
        report.WriteLine("writes run the trims. per order: over empty; per order*: over users (accounts and sessions left out).");
        report.WriteLine();
        report.WriteLine($"{"keys per family",-34}" + string.Concat(moments.Select(m => $" {m.Name,9}")) + $" {"B/key",7}");
        foreach (var family in empty.KeysByFamily.Keys.Where(f => moments.Any(m => m.Snapshot.KeysByFamily[f] > 0)))
        {
            // The size of a key where the family had the most of them.
            var fullest = moments.MaxBy(m => m.Snapshot.KeysByFamily[family]).Snapshot;
            report.WriteLine($"{family,-34}" + string.Concat(moments.Select(m => string.Create(CultureInfo.InvariantCulture, $" {m.Snapshot.KeysByFamily[family],9:N0}")))
                + string.Create(CultureInfo.InvariantCulture, $" {fullest.BytesPerKey.GetValueOrDefault(family),7:N0}"));
        }

        report.WriteLine($"{"members: counted credit events",-34}" + string.Concat(moments.Select(m => string.Create(CultureInfo.InvariantCulture, $" {m.Snapshot.CountedEvents,9:N0}"))));
        report.WriteLine($"{"members: orders queued to settle",-34}" + string.Concat(moments.Select(m => string.Create(CultureInfo.InvariantCulture, $" {m.Snapshot.QueuedSettlements,9:N0}"))));
        report.WriteLine("B/key: average MEMORY USAGE (SAMPLES 0) of up to 20 keys of the family, where it had the most keys.");
    }

    private static string Bytes(long bytes) =>
        Math.Abs(bytes) >= 1 << 20
            ? $"{bytes / (double)(1 << 20):N2} MiB"
            : $"{bytes / 1024.0:N1} KiB";
}
