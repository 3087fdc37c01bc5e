using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Google.Protobuf;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging.Tests.Support;
using Mesh.Testing;
using Xunit.Abstractions;

namespace Mesh.Messaging.Tests;

public sealed class DeadLetterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int DeadLetterFailedEvent = 26;
    private readonly KafkaBrokerFixture _kafka = new();
    private readonly string _group = "test-" + Guid.NewGuid().ToString("N");

    public Task InitializeAsync() => _kafka.InitializeAsync();

    public Task DisposeAsync() => _kafka.DisposeAsync();

    [Fact]
    public async Task Consume_HandlerAlwaysFails_DeadLettersAfterMaxAttemptsWithoutHoldingBackOtherKeys()
    {
        var poison = Orders.Placed("poison");
        var secondAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new OrderHandlerProbe
        {
            Behavior = async (order, attempt) =>
            {
                if (order.OrderId != poison.OrderId)
                {
                    return;
                }

                if (attempt == 2)
                {
                    secondAttempt.SetResult();
                    await release.Task;
                }

                throw new InvalidOperationException($"boom {attempt}");
            },
        };
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output);
        var others = Enumerable.Range(0, 12).Select(i => Orders.Placed($"other-{i}")).ToList();
        var delivered = RawKafka.ProduceInOrder(_kafka.BootstrapServers, [poison, .. others]);
        var source = delivered.Single(d => d.Message.Key == poison.OrderId); // delivery reports of different partitions come in any order

        await secondAttempt.Task.WaitAsync(MessagingHost.Wait);
        var handledMeanwhile = await probe.TakeAsync(others.Count);
        var committedMeanwhile = RawKafka.Committed(_kafka.BootstrapServers, _group, source.TopicPartition);
        release.SetResult();
        var deadLetter = RawKafka.ReadAll(_kafka.BootstrapServers, Topics.DeadLetter(Topics.OrderPlaced), count: 1).Single();

        Assert.Equal(others.Select(o => o.EventId).Order(), handledMeanwhile.Select(h => h.Order.EventId).Order());
        Assert.True(committedMeanwhile == Offset.Unset || committedMeanwhile <= source.Offset, $"committed {committedMeanwhile} past the poison record");
        Assert.Equal(3, probe.AttemptsFor(poison.EventId));
        Assert.Equal(source.Partition, deadLetter.Partition);
        Assert.Equal("poison", deadLetter.Message.Key);
        Assert.Equal(poison.ToByteArray(), deadLetter.Message.Value);
        Assert.Equal(OrderPlaced.Descriptor.FullName, Header(deadLetter, MessageHeaders.MessageType));
        Assert.Equal(DeadLetterHeaders.ReasonHandlerFailed, Header(deadLetter, DeadLetterHeaders.Reason));
        Assert.Equal(typeof(InvalidOperationException).FullName, Header(deadLetter, DeadLetterHeaders.ErrorType));
        Assert.Equal("boom 3", Header(deadLetter, DeadLetterHeaders.ErrorMessage));
        Assert.Equal("3", Header(deadLetter, DeadLetterHeaders.Attempts));
        Assert.Equal(Topics.OrderPlaced, Header(deadLetter, DeadLetterHeaders.SourceTopic));
        Assert.Equal(source.Partition.Value.ToString(CultureInfo.InvariantCulture), Header(deadLetter, DeadLetterHeaders.SourcePartition));
        Assert.Equal(source.Offset.Value.ToString(CultureInfo.InvariantCulture), Header(deadLetter, DeadLetterHeaders.SourceOffset));
        Assert.Equal(_group, Header(deadLetter, DeadLetterHeaders.ConsumerGroup));
        var at = DateTimeOffset.Parse(Header(deadLetter, DeadLetterHeaders.Time), CultureInfo.InvariantCulture);
        Assert.InRange(at, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        await AssertAllCommittedAsync(delivered);
    }

    [Fact]
    public async Task Consume_UnparsableUnknownAndUntypedRecords_GoStraightToDeadLetterTopicAndNextRecordIsHandled()
    {
        var probe = new OrderHandlerProbe();
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output);
        // One key, so every record lands on one partition, in this order.
        await RawKafka.ProduceAsync(_kafka.BootstrapServers, Topics.OrderPlaced, "order-3", [0xFF, 0xFF, 0xFF], OrderPlaced.Descriptor.FullName);
        await RawKafka.ProduceAsync(_kafka.BootstrapServers, Topics.OrderPlaced, "order-3", [0x0A, 0x01, 0x41], "mesh.events.v1.Unknown");
        await RawKafka.ProduceAsync(_kafka.BootstrapServers, Topics.OrderPlaced, "order-3", [0x0A, 0x01, 0x41], messageType: null);
        var order = Orders.Placed("order-3");
        var last = RawKafka.ProduceInOrder(_kafka.BootstrapServers, [order]).Single();

        var handled = await probe.NextAsync(MessagingHost.Wait);
        var deadLetters = RawKafka.ReadAll(_kafka.BootstrapServers, Topics.DeadLetter(Topics.OrderPlaced), count: 3);

        Assert.Equal(order, handled.Order);
        Assert.Equal(
            [DeadLetterHeaders.ReasonUnparsable, DeadLetterHeaders.ReasonUnknownType, DeadLetterHeaders.ReasonMissingType],
            deadLetters.Select(d => Header(d, DeadLetterHeaders.Reason)));
        Assert.All(deadLetters, d => Assert.Equal("0", Header(d, DeadLetterHeaders.Attempts)));
        Assert.Equal(["0", "1", "2"], deadLetters.Select(d => Header(d, DeadLetterHeaders.SourceOffset)));
        Assert.All(deadLetters, d => Assert.Equal(last.Partition, d.Partition));
        Assert.Equal(typeof(InvalidProtocolBufferException).FullName, Header(deadLetters[0], DeadLetterHeaders.ErrorType));
        Assert.Contains("mesh.events.v1.Unknown", Header(deadLetters[1], DeadLetterHeaders.ErrorMessage));
        Assert.Equal(new Offset(4), await RawKafka.WaitForCommittedAsync(_kafka.BootstrapServers, _group, last.TopicPartition, new Offset(4)));
    }

    [Fact]
    public async Task Consume_DeadLetterProduceFails_KeepsRetryingAndCommitsOnlyOnceItIsPersisted()
    {
        var logs = new LogRecorder();
        var firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new OrderHandlerProbe
        {
            Behavior = async (order, attempt) =>
            {
                firstAttempt.TrySetResult();
                await release.Task;
                throw new InvalidOperationException("poison");
            },
        };
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:HandlerRetry:MaxAttempts"] = "1",
            ["Kafka:HandlerRetry:InitialBackoff"] = "00:00:00.100",
            ["Kafka:HandlerRetry:MaxBackoff"] = "00:00:00.200",
            ["Kafka:Producer:message.timeout.ms"] = "700",
        };
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output, settings: settings, logs: logs);
        var poison = Orders.Placed("poison");
        var source = RawKafka.ProduceInOrder(_kafka.BootstrapServers, [poison]).Single();
        await firstAttempt.Task.WaitAsync(MessagingHost.Wait);

        _kafka.Cluster.SetBrokerDown(-1);
        release.SetResult();
        await logs.WaitForAsync(DeadLetterFailedEvent, count: 2);
        _kafka.Cluster.SetBrokerUp(-1);
        var committed = await RawKafka.WaitForCommittedAsync(_kafka.BootstrapServers, _group, source.TopicPartition, source.Offset + 1);
        var deadLetters = RawKafka.ReadAll(_kafka.BootstrapServers, Topics.DeadLetter(Topics.OrderPlaced), count: 1);

        Assert.Equal(source.Offset + 1, committed);
        Assert.Equal(poison.ToByteArray(), deadLetters.Single().Message.Value);
        Assert.Equal(1, probe.AttemptsFor(poison.EventId));
    }

    [Fact]
    public async Task Consume_DeadLetterTooLargeWithItsHeaders_IsWrittenWithoutValueAndTheKeyMovesOn()
    {
        // The original fits the source topic; with the dead-letter headers it exceeds what the
        // library's producer may send, a refusal that no retry cures.
        var settings = new Dictionary<string, string?> { ["Kafka:Producer:message.max.bytes"] = "2000" };
        var probe = new OrderHandlerProbe();
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output, settings: settings);
        var big = Enumerable.Repeat((byte)0xFF, 1500).ToArray(); // unparsable: dead-lettered at once
        var source = await RawKafka.ProduceAsync(_kafka.BootstrapServers, Topics.OrderPlaced, "order-7", big, OrderPlaced.Descriptor.FullName);
        var order = Orders.Placed("order-7");
        var last = RawKafka.ProduceInOrder(_kafka.BootstrapServers, [order]).Single();

        var handled = await probe.NextAsync(MessagingHost.Wait);
        var deadLetter = RawKafka.ReadAll(_kafka.BootstrapServers, Topics.DeadLetter(Topics.OrderPlaced), count: 1).Single();

        Assert.Equal(order, handled.Order);
        Assert.Equal(source.Partition, deadLetter.Partition);
        Assert.Equal("order-7", deadLetter.Message.Key);
        Assert.Null(deadLetter.Message.Value);
        Assert.StartsWith("1500 bytes; MsgSizeTooLarge", Header(deadLetter, DeadLetterHeaders.ValueDropped));
        Assert.Equal(DeadLetterHeaders.ReasonUnparsable, Header(deadLetter, DeadLetterHeaders.Reason));
        Assert.Equal(OrderPlaced.Descriptor.FullName, Header(deadLetter, MessageHeaders.MessageType));
        Assert.Equal(source.Offset.Value.ToString(CultureInfo.InvariantCulture), Header(deadLetter, DeadLetterHeaders.SourceOffset));
        Assert.Equal(last.Offset + 1, await RawKafka.WaitForCommittedAsync(_kafka.BootstrapServers, _group, last.TopicPartition, last.Offset + 1));
    }

    private async Task AssertAllCommittedAsync(IEnumerable<DeliveryResult<string, byte[]>> delivered)
    {
        foreach (var partition in delivered.GroupBy(d => d.TopicPartition))
        {
            var end = partition.Max(d => d.Offset.Value) + 1;
            Assert.Equal(new Offset(end), await RawKafka.WaitForCommittedAsync(_kafka.BootstrapServers, _group, partition.Key, new Offset(end)));
        }
    }

    private static string Header(ConsumeResult<string, byte[]> record, string name) =>
        record.Message.Headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : "";
}
