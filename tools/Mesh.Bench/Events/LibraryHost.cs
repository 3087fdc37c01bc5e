using Mesh.Contracts.Events.V1;
using Mesh.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mesh.Bench.Events;

/// <summary>
/// Mesh.Messaging wired as a service wires it (AddKafkaEvents, optionally AddConsumer), with the
/// dev settings the services use, no logging and nothing read from the environment.
/// </summary>
public static class LibraryHost
{
    public static async Task<IHost> StartAsync(string bootstrap, string? consumerGroup, Action<IServiceCollection>? handlers,
        CancellationToken cancellationToken, KafkaTuning? tuning = null)
    {
        var host = Build(bootstrap, consumerGroup, handlers, tuning);
        await host.StartAsync(cancellationToken);
        return host;
    }

    public static IHost Build(string bootstrap, string? consumerGroup, Action<IServiceCollection>? handlers, KafkaTuning? tuning = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrap,
            ["Kafka:ConsumerGroup"] = consumerGroup,
            ["Kafka:Consumer:fetch.wait.max.ms"] = RawClients.FetchWaitMaxMs,
            ["Kafka:Consumer:session.timeout.ms"] = "6000",
        };
        foreach (var (key, value) in (tuning ?? KafkaTuning.Services).Settings)
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        var kafka = builder.Services.AddKafkaEvents(builder.Configuration);
        if (handlers is not null)
        {
            handlers(builder.Services);
            kafka.AddConsumer<OrderPlaced, BenchHandler>();
        }

        return builder.Build();
    }

    public static async Task StopAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }
}
