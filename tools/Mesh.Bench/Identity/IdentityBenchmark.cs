using Grpc.Core;
using Mesh.Bench.Quotas;
using Mesh.Contracts;
using Mesh.Contracts.V1;
using Mesh.DevBroker;
using Mesh.Gateway.Extensions;
using Mesh.Gateway.Sessions;
using Mesh.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using StackExchange.Redis;

namespace Mesh.Bench.Identity;

/// <summary>
/// What mutual TLS between components costs a call through the mesh: ListOrders through the
/// gateway to the order service (a session lookup at the gateway, a Redis read at the service),
/// with workload certificates on that hop (as deployed) against the same pair in insecure mode
/// (h2c, no caller checks). Both pairs run side by side; paired rounds alternate between them,
/// quotas off on both so only the hop differs.
/// </summary>
public static class IdentityBenchmark
{
    public static async Task<int> RunAsync(IdentityBenchmarkSettings settings, CancellationToken cancellationToken)
    {
        using var broker = new MockKafkaCluster();
        broker.CreateMeshTopics();

        var common = new Dictionary<string, string>
        {
            ["Redis__Configuration"] = settings.Redis,
            ["Kafka__BootstrapServers"] = broker.Bootstrap,
            ["Kafka__Consumer__fetch.wait.max.ms"] = "10",
            ["Quotas__Enabled"] = "false",
        };
        await using var securedOrders = await BenchProcess.StartAsync(
            settings.OrdersDll, Merge(common, BenchIdentity.EnvironmentFor(Workloads.Orders)), cancellationToken,
            address => BenchIdentity.MutualTlsChannel(address, Workloads.Operator));
        await using var secured = await BenchProcess.StartAsync(
            settings.GatewayDll, Merge(common, BenchIdentity.EnvironmentFor(Workloads.Gateway), Services(securedOrders.Address)), cancellationToken);
        var insecure = new Dictionary<string, string> { ["Identity__Insecure"] = "true" };
        await using var plainOrders = await BenchProcess.StartAsync(settings.OrdersDll, Merge(common, insecure), cancellationToken);
        await using var plain = await BenchProcess.StartAsync(
            settings.GatewayDll, Merge(common, insecure, Services(plainOrders.Address)), cancellationToken);

        var session = await NewSessionAsync(settings.Redis, cancellationToken);
        Func<Task> Call(BenchProcess gateway)
        {
            var client = new Orders.OrdersClient(gateway.Channel);
            return async () => await client.ListOrdersAsync(new ListOrdersRequest(), session, DateTime.UtcNow.AddSeconds(10), cancellationToken);
        }

        // Warm both pairs up (JIT, connection pools), then alternate which goes first, so that drift
        // over the run favours neither.
        for (var warmUp = 0; warmUp < 2; warmUp++)
        {
            await LoadGenerator.RunAsync(Call(plain), settings.Concurrency, TimeSpan.FromSeconds(5));
            await LoadGenerator.RunAsync(Call(secured), settings.Concurrency, TimeSpan.FromSeconds(5));
        }
        var ratios = new List<double>();
        for (var round = 1; round <= settings.Rounds; round++)
        {
            LoadResult before, after;
            if (round % 2 == 1)
            {
                before = await LoadGenerator.RunAsync(Call(plain), settings.Concurrency, settings.Phase);
                after = await LoadGenerator.RunAsync(Call(secured), settings.Concurrency, settings.Phase);
            }
            else
            {
                after = await LoadGenerator.RunAsync(Call(secured), settings.Concurrency, settings.Phase);
                before = await LoadGenerator.RunAsync(Call(plain), settings.Concurrency, settings.Phase);
            }

            if (before.Failures + after.Failures > 0)
            {
                throw new InvalidOperationException($"Calls failed: {before.Failures} without TLS, {after.Failures} with mutual TLS.");
            }

            ratios.Add(after.PerSecond / before.PerSecond);
            AnsiConsole.WriteLine($"gateway -> orders ListOrders, round {round}: h2c, insecure {before}; mutual TLS {after}; ratio {ratios[^1]:P1}");
        }

        var median = ratios.Order().ElementAt(ratios.Count / 2);
        AnsiConsole.WriteLine();
        AnsiConsole.WriteLine($"gateway -> orders ListOrders, mutual TLS between components / h2c in insecure mode (median of {settings.Rounds} paired rounds): {median:P1}");
        return 0;
    }

    private static Dictionary<string, string> Services(string orders) => new()
    {
        ["Services__Orders"] = orders,
        ["Services__Users"] = orders.Replace("127.0.0.1", "127.0.0.2", StringComparison.Ordinal),
        ["Services__Notifications"] = orders.Replace("127.0.0.1", "127.0.0.2", StringComparison.Ordinal),
    };

    private static Dictionary<string, string> Merge(params IReadOnlyDictionary<string, string>[] parts) =>
        parts.SelectMany(p => p).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    private static async Task<Metadata> NewSessionAsync(string redis, CancellationToken cancellationToken)
    {
        await using var services = new ServiceCollection()
            .AddSingleton<IConnectionMultiplexer>(ConnectionMultiplexer.Connect(redis))
            .AddRedisSessions(new ConfigurationBuilder().Build())
            .BuildServiceProvider();
        var grant = await services.GetRequiredService<ISessionStore>().CreateAsync($"bench-{Guid.NewGuid():N}", "bench", cancellationToken);
        return new Metadata { { "authorization", $"Bearer {grant.Token}" } };
    }
}
