using Mesh.Locks;
using Mesh.Messaging;
using Mesh.Replay;
using Mesh.ServiceDefaults.Events;
using Mesh.Users.Accounts;
using Mesh.Users.Credit;
using Mesh.Users.Spending;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Mesh.IntegrationTests;

/// <summary>
/// The user service's credit and spending components wired as in the service, against a real
/// redis-server and the in-process Kafka cluster, without a host: tests call the handlers directly
/// (as the library would, concurrently and redelivering at will).
/// </summary>
public static class UsersServiceHost
{
    public static ServiceProvider Build(IConnectionMultiplexer redis, string bootstrap, long defaultLimitCents = 3_000) =>
        Build(redis, bootstrap, new Dictionary<string, string?>
        {
            ["Users:DefaultCreditLimitCents"] = defaultLimitCents.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    public static ServiceProvider Build(IConnectionMultiplexer redis, string bootstrap, IDictionary<string, string?> settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrap,
            ["Kafka:ConsumerGroup"] = "mesh-users-tests",
            ["Kafka:Consumer:fetch.wait.max.ms"] = "10",
            ["Kafka:Producer:linger.ms"] = "0",
            // Ten handlers queue on one user's lock; none may give up while the others decide.
            ["Locks:Expiry"] = "00:00:10",
            ["Locks:WaitTime"] = "00:00:30",
            ["Locks:RetryInterval"] = "00:00:00.010",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        // The publisher stops the application on a fatal producer error; here nothing listens.
        services.AddSingleton<IHostApplicationLifetime, Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(redis);
        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddEventRetention(configuration);
        services.AddOptions<CreditOptions>().Bind(configuration.GetSection(CreditOptions.SectionName)).ValidateDataAnnotations();
        services.AddSingleton<UserAccountStore>();
        services.AddSingleton<CreditStore>();
        services.AddSingleton<SpendingViews>();
        services.AddOptions<ReplayOptions>();
        services.AddSingleton<IRebuildableView, SpendingRebuild>();
        services.AddSingleton<LogReader>();
        services.AddSingleton<ViewRebuilder>();
        services.AddTransient<CreditReservationHandler>();
        services.AddTransient<CreditReleaseHandler>();
        services.AddTransient<SpendingProjection>();
        services.AddDistributedLocks(configuration);
        services.AddKafkaEvents(configuration);
        return services.BuildServiceProvider();
    }
}
