using Google.Protobuf;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging.Telemetry;
using Mesh.Messaging.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Tests;

[Trait("Category", "Fast")]
public sealed class KafkaServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddKafkaEvents_WithoutBootstrapServers_FailsOnStart()
    {
        using var host = Build(new() { ["Kafka:ConsumerGroup"] = "g" }, consume: false);

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Kafka:BootstrapServers", exception.Message);
    }

    [Fact]
    public async Task AddConsumer_WithoutConsumerGroup_FailsOnStart()
    {
        using var host = Build(new() { ["Kafka:BootstrapServers"] = "127.0.0.1:1" }, consume: true);

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Kafka:ConsumerGroup", exception.Message);
    }

    [Fact]
    public async Task AddKafkaEvents_OverridingAReservedClientProperty_FailsOnStart()
    {
        using var host = Build(new()
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:1",
            ["Kafka:ConsumerGroup"] = "g",
            ["Kafka:Consumer:enable.auto.offset.store"] = "true",
            ["Kafka:Producer:acks"] = "1",
        }, consume: true);

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Kafka:Consumer:enable.auto.offset.store", exception.Message);
        Assert.Contains("Kafka:Producer:acks", exception.Message);
    }

    [Theory]
    [InlineData("00:00:00", null, "Kafka:PauseAfter must be positive")]
    [InlineData("00:00:05", "10000", "Kafka:PauseAfter must be less than half")]
    public async Task AddConsumer_PauseAfterNotWellBelowMaxPollInterval_FailsOnStart(string pauseAfter, string? maxPollIntervalMs, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:1",
            ["Kafka:ConsumerGroup"] = "g",
            ["Kafka:PauseAfter"] = pauseAfter,
            ["Kafka:DrainTimeout"] = "00:00:01",
        };
        if (maxPollIntervalMs is not null)
        {
            settings["Kafka:Consumer:max.poll.interval.ms"] = maxPollIntervalMs;
        }

        using var host = Build(settings, consume: true);

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, exception.Message);
    }

    [Theory]
    [InlineData("Kafka:StalledAfter")]
    [InlineData("Kafka:DeadLetterDepthInterval")]
    public async Task AddConsumer_StallOrDepthDurationNotPositive_FailsOnStart(string key)
    {
        using var host = Build(new()
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:1",
            ["Kafka:ConsumerGroup"] = "g",
            [key] = "00:00:00",
        }, consume: true);

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"{key} must be positive", exception.Message);
    }

    [Fact]
    public void AddConsumer_Twice_RegistersTheStallHealthCheckAndTheDepthMonitorOnce()
    {
        var services = new ServiceCollection();
        services.AddKafkaEvents(new ConfigurationBuilder().Build())
            .AddConsumer<OrderPlaced, ProbeOrderHandler>()
            .AddConsumer<CreditReserved, NoOpHandler<CreditReserved>>();
        using var provider = services.BuildServiceProvider();

        var checks = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        Assert.Single(checks, c => c.Name == KafkaServiceCollectionExtensions.StalledHealthCheckName);
        Assert.Single(services, d => d.ImplementationType == typeof(DeadLetterDepthMonitor));
    }

    [Fact]
    public void AddKafkaEvents_BootstrapOnlyInEnvironmentVariable_UsesIt()
    {
        using var host = Build(new() { [KafkaOptions.BootstrapServersVariable] = "127.0.0.1:9092" }, consume: false);

        var options = host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value;

        Assert.Equal("127.0.0.1:9092", options.BootstrapServers);
    }

    [Fact]
    public void AddKafkaEvents_ClientPropertiesInConfiguration_PassesThemThroughVerbatim()
    {
        using var host = Build(new()
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:1",
            ["Kafka:Consumer:fetch.wait.max.ms"] = "10",
            ["Kafka:Producer:linger.ms"] = "1",
        }, consume: false);

        var options = host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value;

        Assert.Equal("10", options.Consumer["fetch.wait.max.ms"]);
        Assert.Equal("1", options.Producer["linger.ms"]);
    }

    [Fact]
    public void AddConsumer_SameEventTwice_Throws()
    {
        var services = new ServiceCollection();
        var kafka = services.AddKafkaEvents(new ConfigurationBuilder().Build()).AddConsumer<OrderPlaced, ProbeOrderHandler>();

        Assert.Throws<InvalidOperationException>(() => kafka.AddConsumer<OrderPlaced, ProbeOrderHandler>());
    }

    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(3, 800)]
    [InlineData(10, 5000)]
    public void BackoffAfter_Attempt_DoublesUpToMaxBackoff(int attempt, int expectedMilliseconds)
    {
        var retry = new HandlerRetryOptions();

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), retry.BackoffAfter(attempt));
    }

    private sealed class NoOpHandler<TEvent> : IEventHandler<TEvent> where TEvent : IMessage<TEvent>, new()
    {
        public Task HandleAsync(TEvent @event, EventMetadata metadata, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static IHost Build(Dictionary<string, string?> settings, bool consume)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        var kafka = builder.Services.AddKafkaEvents(builder.Configuration);
        if (consume)
        {
            kafka.AddConsumer<OrderPlaced, ProbeOrderHandler>();
        }

        return builder.Build();
    }
}
