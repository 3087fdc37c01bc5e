using System.Diagnostics.Metrics;
using Mesh.Contracts;
using Mesh.Messaging.Tests.Support;
using Mesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace Mesh.Messaging.Tests;

public sealed class MessagingMetricsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly KafkaBrokerFixture _kafka = new();
    private readonly string _group = "test-" + Guid.NewGuid().ToString("N");

    public Task InitializeAsync() => _kafka.InitializeAsync();

    public Task DisposeAsync() => _kafka.DisposeAsync();

    [Fact]
    public async Task Consume_BlockedHandlerThenPoisonRecord_ReportsLagDeadLettersDurationsBrokersAndSends()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new OrderHandlerProbe { Behavior = (_, _) => release.Task };
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:Consumer:statistics.interval.ms"] = "100",
            ["Kafka:Producer:statistics.interval.ms"] = "100",
        };
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output, settings: settings);
        using var metrics = new MeterRecorder(MessagingTelemetry.MeterName, host.Services.GetRequiredService<IMeterFactory>());
        var publisher = host.Services.GetRequiredService<IEventPublisher>();

        for (var i = 0; i < 5; i++)
        {
            await publisher.PublishAsync(Orders.Placed("order-lag"), CancellationToken.None);
        }

        var lagWhileBlocked = await metrics.WaitForAsync("mesh.messaging.consumer.lag", m => m.Value >= 5 && m.Has("messaging.consumer.group.name", _group), MessagingHost.Wait);
        release.SetResult();
        await probe.TakeAsync(5);
        await RawKafka.ProduceAsync(_kafka.BootstrapServers, Topics.OrderPlaced, "order-lag", [0x0A, 0x01, 0x41], messageType: null);
        var deadLettered = await metrics.WaitForAsync("mesh.messaging.dead_lettered",
            m => m.Has("mesh.messaging.dead_letter.reason", DeadLetterHeaders.ReasonMissingType) && m.Has("messaging.consumer.group.name", _group), MessagingHost.Wait);
        var lagAfter = await metrics.WaitForAsync("mesh.messaging.consumer.lag",
            m => m.Value == 0 && m.Has("messaging.destination.partition.id", lagWhileBlocked.Tags["messaging.destination.partition.id"]), MessagingHost.Wait);

        Assert.Equal(Topics.OrderPlaced, lagWhileBlocked.Tags["messaging.destination.name"]);
        Assert.Equal(1, deadLettered.Value);
        Assert.Equal(Topics.OrderPlaced, deadLettered.Tags["messaging.destination.name"]);
        Assert.Equal(0, lagAfter.Value);
        Assert.Equal(5, metrics.Of("messaging.process.duration").Count(m => m.Has("mesh.messaging.outcome", "success")));
        Assert.Equal(6, metrics.Of("messaging.client.consumed.messages").Sum(m => m.Value));
        Assert.Equal(5, metrics.Of("messaging.client.sent.messages").Count(m => !m.Tags.ContainsKey("error.type")));
        Assert.Contains(metrics.Of("mesh.messaging.brokers.up"), m => m.Value >= 1 && m.Has("mesh.kafka.client", "consumer"));
    }

    [Fact]
    public async Task HealthCheck_BrokerDownLongerThanUnhealthyAfter_ReportsUnhealthyThenHealthyAgain()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:Consumer:statistics.interval.ms"] = "100",
            ["Kafka:Producer:statistics.interval.ms"] = "100",
            ["Kafka:UnhealthyAfter"] = "00:00:01",
        };
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, new(), output, settings: settings);
        var health = host.Services.GetRequiredService<HealthCheckService>();

        // Down only once the consumer has reached the broker: a client that never connected has
        // nothing to lose, and the check rightly stays Healthy for it.
        var before = await WaitForStatusAsync(health, HealthStatus.Healthy, "consumer: 1 broker(s) up");
        _kafka.Cluster.SetBrokerDown(-1);
        var down = await WaitForStatusAsync(health, HealthStatus.Unhealthy);
        _kafka.Cluster.SetBrokerUp(-1);
        var after = await WaitForStatusAsync(health, HealthStatus.Healthy);

        output.WriteLine($"{before.Description} / {down.Description} / {after.Description}");
        Assert.Contains("no broker", down.Description);
        Assert.Empty(down.Tags); // readiness only: the liveness service of Mesh.ServiceDefaults ignores untagged checks
    }

    private static async Task<HealthReportEntry> WaitForStatusAsync(HealthCheckService health, HealthStatus status, string? describing = null)
    {
        var deadline = DateTime.UtcNow + MessagingHost.Wait;
        while (true)
        {
            var entry = (await health.CheckHealthAsync()).Entries[KafkaServiceCollectionExtensions.HealthCheckName];
            if (entry.Status == status && (describing is null || entry.Description?.Contains(describing, StringComparison.Ordinal) == true))
            {
                return entry;
            }

            Assert.True(DateTime.UtcNow < deadline, $"kafka stayed {entry.Status} ({entry.Description}), expected {status}.");
            await Task.Delay(100);
        }
    }
}
