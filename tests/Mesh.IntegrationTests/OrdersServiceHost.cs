using Mesh.Messaging;
using Mesh.Orders.Ordering;
using Mesh.ServiceDefaults.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Mesh.IntegrationTests;

/// <summary>
/// The order service's settlement components wired as in the service, against a real redis-server
/// and the in-process Kafka cluster, on a clock the test moves; tests call them directly.
/// </summary>
public static class OrdersServiceHost
{
    public static ServiceProvider Build(IConnectionMultiplexer redis, string bootstrap, FakeTimeProvider clock)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrap,
            ["Kafka:Producer:linger.ms"] = "0",
            ["Kafka:Consumer:fetch.wait.max.ms"] = "10",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<IHostApplicationLifetime, Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(redis);
        services.AddSingleton<TimeProvider>(clock);
        services.AddEventRetention(configuration);
        services.AddOptions<OrderOptions>().Configure(o =>
        {
            o.SettleWithin = TimeSpan.FromMinutes(5);
            o.SweepClaim = TimeSpan.FromMinutes(1);
        });
        services.AddSingleton<OrderDecisions>();
        services.AddSingleton<OrderViews>();
        services.AddSingleton<SettlementQueue>();
        services.AddSingleton<OrderSettler>();
        services.AddSingleton<OrderMetrics>();
        services.AddSingleton<OrderCancellation>();
        services.AddSingleton<OrderPlacement>();
        services.AddTransient<OrderSweeper>();
        services.AddTransient<CreditOutcomeHandler>();
        services.AddKafkaEvents(configuration);
        return services.BuildServiceProvider();
    }
}
