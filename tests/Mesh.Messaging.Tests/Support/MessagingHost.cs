using Mesh.Contracts.Events.V1;
using Mesh.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using Xunit.Abstractions;

namespace Mesh.Messaging.Tests.Support;

/// <summary>A generic host wired like a service: AddKafkaEvents plus the probe handler for OrderPlaced.</summary>
public static class MessagingHost
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    static MessagingHost()
    {
        // What the OpenTelemetry SDK installs in every service; tests listen with a bare ActivityListener.
        Sdk.SetDefaultTextMapPropagator(new CompositeTextMapPropagator([new TraceContextPropagator(), new BaggagePropagator()]));
    }

    public static async Task<RunningHost> StartAsync(string bootstrap, string group, OrderHandlerProbe probe,
        ITestOutputHelper output, bool consume = true, IDictionary<string, string?>? settings = null, LogRecorder? logs = null,
        Action<KafkaEventsBuilder>? configure = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrap,
            ["Kafka:ConsumerGroup"] = group,
            ["Kafka:Consumer:fetch.wait.max.ms"] = "10",
            ["Kafka:Consumer:auto.commit.interval.ms"] = "100",
            // The mock cluster makes a consumer rejoining an emptied group wait this minus 1 s.
            ["Kafka:Consumer:session.timeout.ms"] = "6000",
            ["Kafka:Producer:linger.ms"] = "0",
            ["Kafka:HandlerRetry:InitialBackoff"] = "00:00:00.050",
            ["Kafka:HandlerRetry:MaxAttempts"] = "3",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                values.Remove(key); // null removes a default
            }
            else
            {
                values[key] = value;
            }
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.ClearProviders().AddProvider(new XunitLoggerProvider(output));
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddSingleton(probe);

        var kafka = builder.Services.AddKafkaEvents(builder.Configuration);
        if (consume)
        {
            kafka.AddConsumer<OrderPlaced, ProbeOrderHandler>();
        }

        configure?.Invoke(kafka);

        var host = builder.Build();
        using var timeout = new CancellationTokenSource(Wait);
        await host.StartAsync(timeout.Token);
        return new RunningHost(host);
    }
}
