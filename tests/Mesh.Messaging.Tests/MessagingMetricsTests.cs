using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
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

    [Fact]
    public async Task Consume_RecordStalledLongerThanStalledAfter_GaugesAndHealthDegradedThenHealthyOnceItRecovers()
    {
        var outage = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new OrderHandlerProbe
        {
            Behavior = (_, attempt) => outage.Task.IsCompleted ? Task.CompletedTask : throw new TimeoutException($"dependency unreachable ({attempt})"),
        };
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:StalledAfter"] = "00:00:00.500",
            ["Kafka:HandlerRetry:MaxAttempts"] = "2",
            ["Kafka:HandlerRetry:InitialBackoff"] = "00:00:00.020",
            ["Kafka:HandlerRetry:MaxBackoff"] = "00:00:00.100",
        };
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output, settings: settings);
        using var metrics = new MeterRecorder(MessagingTelemetry.MeterName, host.Services.GetRequiredService<IMeterFactory>());
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var stuck = RawKafka.ProduceInOrder(_kafka.BootstrapServers, [Orders.Placed("stuck")]).Single();
        var partition = stuck.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var stalled = await metrics.WaitForAsync("mesh.messaging.consumer.stalled", m => m.Value == 1, MessagingHost.Wait);
        var degraded = await WaitForStatusAsync(health, HealthStatus.Degraded, checkName: KafkaServiceCollectionExtensions.StalledHealthCheckName);
        var age = metrics.Of("mesh.messaging.consumer.stall_age").Last();
        outage.SetResult();
        await probe.NextAsync(MessagingHost.Wait);
        var healthy = await WaitForStatusAsync(health, HealthStatus.Healthy, checkName: KafkaServiceCollectionExtensions.StalledHealthCheckName);
        var cleared = await metrics.WaitForAsync("mesh.messaging.consumer.stalled", m => m.Value == 0, MessagingHost.Wait);

        output.WriteLine($"{degraded.Description} / {healthy.Description}");
        Assert.Equal(Topics.OrderPlaced, stalled.Tags["messaging.destination.name"]);
        Assert.Equal(partition, stalled.Tags["messaging.destination.partition.id"]);
        Assert.Equal(_group, stalled.Tags["messaging.consumer.group.name"]);
        Assert.Contains($"{Topics.OrderPlaced} [{partition}] 1 key(s)", degraded.Description);
        Assert.Contains(typeof(TimeoutException).FullName!, degraded.Description);
        Assert.Empty(degraded.Tags); // readiness only, like the kafka check
        Assert.True(age.Value >= 0.5, $"the oldest stall was {age.Value} s old while Degraded");
        Assert.Equal(partition, cleared.Tags["messaging.destination.partition.id"]);
        Assert.Equal(0, metrics.Of("mesh.messaging.consumer.stall_age").Last().Value);
        var retries = metrics.Of("mesh.messaging.process.retries");
        Assert.True(retries.Count(r => r.Has("mesh.messaging.failure.kind", "transient")) >= 2, "transient retries were not counted as such");
        Assert.DoesNotContain(retries, r => r.Has("mesh.messaging.failure.kind", "unclassified"));
    }

    [Fact]
    public async Task DeadLetterDepth_DeadLettersThenRedriveGroupCommits_CountsThemThenDrops()
    {
        var settings = new Dictionary<string, string?> { ["Kafka:DeadLetterDepthInterval"] = "00:00:00.200" };
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, new(), output, settings: settings);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        var deadLetterTopic = Topics.DeadLetter(Topics.OrderPlaced);
        for (var i = 0; i < 3; i++)
        {
            await RawKafka.ProduceAsync(_kafka.BootstrapServers, Topics.OrderPlaced, "poison", [0xFF, 0xFF, 0xFF], OrderPlaced.Descriptor.FullName);
        }

        var letters = RawKafka.ReadAll(_kafka.BootstrapServers, deadLetterTopic, count: 3);
        using (var before = new MeterRecorder(MessagingTelemetry.MeterName, meters))
        {
            var counted = await before.WaitForAsync("mesh.messaging.dead_letter.depth",
                m => m.Value == 3 && m.Has("messaging.destination.name", deadLetterTopic), MessagingHost.Wait);
            Assert.Equal(3, counted.Value);
        }

        // What `mesh dlq redrive` does once it produced the first two back: commit past them.
        var redriveConfig = new ConsumerConfig { BootstrapServers = _kafka.BootstrapServers, GroupId = Topics.RedriveGroup, EnableAutoCommit = false };
        using (var redrive = new ConsumerBuilder<Ignore, Ignore>(redriveConfig).Build())
        {
            redrive.Commit([new TopicPartitionOffset(letters[0].TopicPartition, letters[1].Offset + 1)]);
        }

        using var after = new MeterRecorder(MessagingTelemetry.MeterName, meters);
        var dropped = await after.WaitForAsync("mesh.messaging.dead_letter.depth",
            m => m.Value == 1 && m.Has("messaging.destination.name", deadLetterTopic), MessagingHost.Wait);

        Assert.Equal(1, dropped.Value);
        Assert.All(after.Of("mesh.messaging.dead_letter.depth"), m => Assert.Equal(deadLetterTopic, m.Tags["messaging.destination.name"]));
    }

    private static async Task<HealthReportEntry> WaitForStatusAsync(HealthCheckService health, HealthStatus status, string? describing = null,
        string checkName = KafkaServiceCollectionExtensions.HealthCheckName)
    {
        var entry = default(HealthReportEntry);
        await Poll.UntilAsync(
            async () =>
            {
                entry = (await health.CheckHealthAsync()).Entries[checkName];
                return entry.Status == status && (describing is null || entry.Description?.Contains(describing, StringComparison.Ordinal) == true);
            },
            MessagingHost.Wait,
            () => $"{checkName} stayed {entry.Status} ({entry.Description}), expected {status}.");
        return entry;
    }
}
