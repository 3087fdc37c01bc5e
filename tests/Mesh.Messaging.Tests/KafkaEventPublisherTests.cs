using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging.Tests.Support;
using Mesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Mesh.Messaging.Tests;

public sealed class KafkaEventPublisherTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly KafkaBrokerFixture _kafka = new();

    public Task InitializeAsync() => _kafka.InitializeAsync();

    public Task DisposeAsync() => _kafka.DisposeAsync();

    [Fact]
    public async Task PublishAsync_OrderPlaced_WritesKeyPayloadAndMessageTypeHeader()
    {
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, "unused", new(), output, consume: false);
        var order = Orders.Placed("order-1");

        await host.Services.GetRequiredService<IEventPublisher>().PublishAsync(order, CancellationToken.None);

        var record = RawKafka.ReadAll(_kafka.BootstrapServers, Topics.OrderPlaced, count: 1).Single();
        Assert.Equal("order-1", record.Message.Key);
        Assert.Equal(order, OrderPlaced.Parser.ParseFrom(record.Message.Value));
        Assert.True(record.Message.Headers.TryGetLastBytes(MessageHeaders.MessageType, out var type));
        Assert.Equal("mesh.events.v1.OrderPlaced", Encoding.UTF8.GetString(type));
    }

    [Fact]
    public async Task PublishAsync_WithinActivity_InjectsTraceparentAndRecordsSendSpan()
    {
        using var recorder = new ActivityRecorder();
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, "unused", new(), output, consume: false);

        ActivityTraceId traceId;
        using (var parent = ActivityRecorder.TestSource.StartActivity("test"))
        {
            traceId = parent!.TraceId;
            await host.Services.GetRequiredService<IEventPublisher>().PublishAsync(Orders.Placed("order-2"), CancellationToken.None);
        }

        var send = recorder.Single(traceId, ActivityKind.Producer);
        var record = RawKafka.ReadAll(_kafka.BootstrapServers, Topics.OrderPlaced, count: 1).Single();
        Assert.True(record.Message.Headers.TryGetLastBytes("traceparent", out var traceparent));
        Assert.Equal($"00-{traceId}-{send.SpanId}-01", Encoding.UTF8.GetString(traceparent));
        Assert.Equal($"send {Topics.OrderPlaced}", send.DisplayName);
        Assert.Equal("kafka", send.GetTagItem("messaging.system"));
        Assert.Equal("send", send.GetTagItem("messaging.operation.type"));
        Assert.Equal(Topics.OrderPlaced, send.GetTagItem("messaging.destination.name"));
        Assert.Equal("order-2", send.GetTagItem("messaging.kafka.message.key"));
        Assert.Equal(record.Partition.Value, send.GetTagItem("messaging.kafka.destination.partition"));
        Assert.Equal(record.Offset.Value, send.GetTagItem("messaging.kafka.offset"));
    }

    [Fact]
    public async Task PublishAsync_BrokerDown_ThrowsEventPublishException()
    {
        var settings = new Dictionary<string, string?> { ["Kafka:Producer:message.timeout.ms"] = "1500" };
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, "unused", new(), output, consume: false, settings);
        _kafka.Cluster.SetBrokerDown(-1);

        var publisher = host.Services.GetRequiredService<IEventPublisher>();
        var exception = await Assert.ThrowsAsync<EventPublishException>(
            () => publisher.PublishAsync(Orders.Placed("order-3"), CancellationToken.None));

        Assert.Equal(Topics.OrderPlaced, exception.Topic);
        Assert.IsType<ProduceException<string, byte[]>>(exception.InnerException);
    }
}
