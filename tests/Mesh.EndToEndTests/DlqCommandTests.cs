using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Google.Protobuf;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;
using static Mesh.EndToEndTests.Infrastructure.DeadLetterRecords;

namespace Mesh.EndToEndTests;

/// <summary>
/// <c>mesh dlq list|show|redrive</c> as an operator runs them: the CLI as its own process against
/// a broker of the test's own, dead letters written and results read with a plain Kafka client.
/// </summary>
[Collection(IsolatedCollection.Name)]
public sealed class DlqCommandTests : IAsyncLifetime
{
    private const string Dlq = Topics.OrderPlaced + Topics.DeadLetterSuffix;
    private static readonly string OrderPlacedType = OrderPlaced.Descriptor.FullName;
    private static readonly byte[] Garbage = [0xFF, 0xFF, 0xFF, 0x01];

    private readonly KafkaBrokerFixture _broker = new();
    private KafkaLog _kafka = null!;

    public async Task InitializeAsync()
    {
        await _broker.InitializeAsync();
        _kafka = new KafkaLog(_broker.BootstrapServers);
    }

    public Task DisposeAsync() => _broker.DisposeAsync();

    [Fact]
    public async Task List_DeadLettersOfTwoTopics_CountsRetainedPendingReasonsAndGroupsAndCommitsNothing()
    {
        await DeadLetterAsync(0, HandlerFailed("o-1", Placed("o-1").ToByteArray(), OrderPlacedType, Topics.OrderPlaced, 0, 10, "mesh-users"));
        await DeadLetterAsync(1, HandlerFailed("o-2", Placed("o-2").ToByteArray(), OrderPlacedType, Topics.OrderPlaced, 1, 11, "mesh-users"));
        await DeadLetterAsync(1, Unparsable("o-3", Garbage, OrderPlacedType, Topics.OrderPlaced, 1, 12, "mesh-notifications"));
        var reserved = new CreditReserved { EventId = "e-r", UserId = "u-1", OrderId = "o-1", AmountCents = 100 };
        await _kafka.ProduceAsync(Topics.DeadLetter(Topics.CreditReserved), 2,
            HandlerFailed("u-1", reserved.ToByteArray(), CreditReserved.Descriptor.FullName, Topics.CreditReserved, 2, 3, "mesh-orders"));

        var json = await CliAsync("list", "--json");
        var table = await CliAsync("list");

        Assert.True(json.ExitCode == 0, json.ToString());
        var topics = json.JsonLines().ToDictionary(t => t.GetProperty("topic").GetString()!);
        Assert.Equal(EventContracts.All.Select(c => Topics.DeadLetter(c.Topic)).Order(), topics.Keys.Order());
        var placed = topics[Dlq];
        Assert.Equal(3, placed.GetProperty("retained").GetInt64());
        Assert.Equal(3, placed.GetProperty("pending").GetInt64());
        Assert.Equal(2, placed.GetProperty("reasons").GetProperty("handler-failed").GetInt64());
        Assert.Equal(1, placed.GetProperty("reasons").GetProperty("unparsable").GetInt64());
        Assert.Equal(2, placed.GetProperty("groups").GetProperty("mesh-users").GetInt64());
        Assert.Equal(1, placed.GetProperty("groups").GetProperty("mesh-notifications").GetInt64());
        var oldest = DateTimeOffset.Parse(placed.GetProperty("oldestPending").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(oldest, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(1, topics[Topics.DeadLetter(Topics.CreditReserved)].GetProperty("pending").GetInt64());
        Assert.Equal(1, topics[Topics.DeadLetter(Topics.CreditReserved)].GetProperty("groups").GetProperty("mesh-orders").GetInt64());
        Assert.Equal(0, topics[Topics.DeadLetter(Topics.OrderConfirmed)].GetProperty("retained").GetInt64());
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("handler-failed 2, unparsable 1", table.Output, StringComparison.Ordinal);
        Assert.Contains("mesh-notifications 1, mesh-users 2", table.Output, StringComparison.Ordinal);
        for (var partition = 0; partition < 3; partition++)
        {
            Assert.Null(_kafka.Committed(Topics.RedriveGroup, Dlq, partition));
        }
    }

    [Fact]
    public async Task List_KafkaFromEndpointsFileAndConfigFile_ReadsThatCluster()
    {
        await DeadLetterAsync(0, HandlerFailed("o-1", Placed("o-1").ToByteArray(), OrderPlacedType, Topics.OrderPlaced, 0, 1, "mesh-users"));
        var folder = Directory.CreateTempSubdirectory("mesh-dlq-cli-").FullName;
        try
        {
            var endpoints = Path.Combine(folder, "endpoints.json");
            await File.WriteAllTextAsync(endpoints, JsonSerializer.Serialize(new Dictionary<string, string> { ["kafka"] = _broker.BootstrapServers }));
            var properties = Path.Combine(folder, "client.properties");
            await File.WriteAllTextAsync(properties, $"# key=value, as deploy/kafka/client.properties\nbootstrap.servers={_broker.BootstrapServers}\nclient.id=operator-test\n");

            var fromEndpoints = await MeshCli.RunAsync("dlq", "list", "--json", "--endpoints", endpoints);
            var fromConfig = await MeshCli.RunAsync("dlq", "list", "--json", "--kafka-config", properties, "--endpoints", Path.Combine(folder, "none.json"));

            foreach (var result in new[] { fromEndpoints, fromConfig })
            {
                Assert.True(result.ExitCode == 0, result.ToString());
                Assert.Equal(1, result.JsonLines().Single(t => t.GetProperty("topic").GetString() == Dlq).GetProperty("pending").GetInt64());
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Show_SourceTopicName_PrintsHeadersAndThePayloadDecodedAsJsonOrAsBytes()
    {
        var order = Placed("order-show-1");
        await DeadLetterAsync(2, HandlerFailed(order.OrderId, order.ToByteArray(), OrderPlacedType, Topics.OrderPlaced, 2, 41, "mesh-users", attempts: 10));
        await DeadLetterAsync(2, Unparsable("order-show-2", Garbage, OrderPlacedType, Topics.OrderPlaced, 2, 42, "mesh-users"));

        var text = await CliAsync("show", Topics.OrderPlaced);
        var json = await CliAsync("show", Dlq, "--partition", "2", "--json");
        var second = await CliAsync("show", Dlq, "--partition", "2", "--offset", "1", "--limit", "1", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains($"{Dlq}/2/0", text.Output, StringComparison.Ordinal);
        Assert.Matches(@"mesh-dlq-reason\s+│ handler-failed", text.Output);
        Assert.Matches(@"mesh-dlq-attempts\s+│ 10", text.Output);
        Assert.Contains("\"orderId\": \"order-show-1\"", text.Output, StringComparison.Ordinal);
        Assert.Contains("\"totalCents\": \"900\"", text.Output, StringComparison.Ordinal);
        Assert.Contains("\"sku\": \"TEA-GREEN\"", text.Output, StringComparison.Ordinal);
        Assert.Contains("not decoded", text.Output, StringComparison.Ordinal);
        Assert.Contains(Convert.ToBase64String(Garbage), text.Output, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.ToString());
        var letters = json.JsonLines();
        Assert.Equal(2, letters.Count);
        Assert.Equal("order-show-1", letters[0].GetProperty("key").GetString());
        Assert.Equal("pending", letters[0].GetProperty("state").GetString());
        Assert.Equal("handler-failed", letters[0].GetProperty("deadLetter").GetProperty(Reason).GetString());
        Assert.Equal("41", letters[0].GetProperty("deadLetter").GetProperty(SourceOffset).GetString());
        Assert.Equal(OrderPlacedType, letters[0].GetProperty("messageType").GetString());
        var payload = letters[0].GetProperty("payload");
        Assert.Equal(order.OrderId, payload.GetProperty("orderId").GetString());
        Assert.Equal(order.UserId, payload.GetProperty("userId").GetString());
        Assert.Equal("TEA-GREEN", payload.GetProperty("lines")[0].GetProperty("sku").GetString());
        Assert.Equal(JsonValueKind.Null, letters[1].GetProperty("payload").ValueKind);
        Assert.Contains("not a valid mesh.events.v1.OrderPlaced", letters[1].GetProperty("payloadError").GetString(), StringComparison.Ordinal);
        Assert.Equal(Convert.ToBase64String(Garbage), letters[1].GetProperty("payloadBase64").GetString());
        Assert.Equal(1, Assert.Single(second.JsonLines()).GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Redrive_PendingDeadLetters_RepublishedWithOriginalsAndRedriveHeadersAndSecondRunRedrivesNothing()
    {
        var letters = new List<(Message<string, byte[]> Message, DeliveryResult<string, byte[]> Written)>();
        foreach (var (key, partition, sourceOffset) in new[] { ("o-a", 0, 7), ("o-b", 1, 7), ("o-c", 1, 8) })
        {
            var message = HandlerFailed(key, Placed(key).ToByteArray(), OrderPlacedType, Topics.OrderPlaced, partition, sourceOffset, "mesh-users");
            letters.Add((message, await DeadLetterAsync(partition, message)));
        }

        var started = DateTimeOffset.UtcNow;
        var first = await CliAsync("redrive", Dlq);
        var redriven = _kafka.ReadAll(Topics.OrderPlaced);
        var second = await CliAsync("redrive", Dlq);
        var list = await CliAsync("list", "--json");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(3, redriven.Count);
        foreach (var (message, written) in letters)
        {
            var copy = Assert.Single(redriven, r => r.Message.Key == message.Key);
            Assert.Equal(written.Partition, copy.Partition);
            Assert.Equal(message.Value, copy.Message.Value);
            Assert.Equal(OrderPlacedType, Header(copy.Message, MessageType));
            Assert.Equal(Header(message, TraceParent), Header(copy.Message, TraceParent));
            Assert.DoesNotContain(copy.Message.Headers, h => h.Key.StartsWith("mesh-dlq-", StringComparison.Ordinal));
            Assert.Equal($"{Dlq}/{written.Partition.Value}/{written.Offset.Value}", Header(copy.Message, RedrivenFrom));
            var at = DateTimeOffset.Parse(Header(copy.Message, RedriveTime), CultureInfo.InvariantCulture);
            Assert.InRange(at, started.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        }

        Assert.Equal(1, _kafka.Committed(Topics.RedriveGroup, Dlq, 0));
        Assert.Equal(2, _kafka.Committed(Topics.RedriveGroup, Dlq, 1));
        Assert.Null(_kafka.Committed(Topics.RedriveGroup, Dlq, 2));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Redrove 0 dead letter(s)", second.Output, StringComparison.Ordinal);
        Assert.Equal(3, _kafka.ReadAll(Topics.OrderPlaced).Count);
        var summary = list.JsonLines().Single(t => t.GetProperty("topic").GetString() == Dlq);
        Assert.Equal(3, summary.GetProperty("retained").GetInt64());
        Assert.Equal(0, summary.GetProperty("pending").GetInt64());
    }

    [Fact]
    public async Task Redrive_DryRun_ShowsWhatWouldBeRedrivenAndProducesAndCommitsNothing()
    {
        await DeadLetterAsync(0, HandlerFailed("o-a", Placed("o-a").ToByteArray(), OrderPlacedType, Topics.OrderPlaced, 0, 1, "mesh-users"));
        await DeadLetterAsync(0, HandlerFailed("o-b", Placed("o-b").ToByteArray(), OrderPlacedType, Topics.OrderPlaced, 0, 2, "mesh-users"));

        var dryRun = await CliAsync("redrive", Topics.OrderPlaced, "--dry-run");

        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains($"would redrive {Dlq}/0/0", dryRun.Output, StringComparison.Ordinal);
        Assert.Contains($"would redrive {Dlq}/0/1", dryRun.Output, StringComparison.Ordinal);
        Assert.Empty(_kafka.ReadAll(Topics.OrderPlaced));
        Assert.Null(_kafka.Committed(Topics.RedriveGroup, Dlq, 0));
    }

    [Fact]
    public async Task Redrive_FromAboveTheCursor_PassesOverTheGapAndNeverRedrivesBelowTheCursor()
    {
        for (var i = 0; i < 6; i++)
        {
            await DeadLetterAsync(1, HandlerFailed($"k{i}", Placed($"k{i}").ToByteArray(), OrderPlacedType, Topics.OrderPlaced, 1, 100 + i, "mesh-users"));
        }

        var range = await CliAsync("redrive", Dlq, "--partition", "1", "--from", "2", "--to", "3");
        var keysAfterRange = RedrivenKeys();
        var cursorAfterRange = _kafka.Committed(Topics.RedriveGroup, Dlq, 1);
        var below = await CliAsync("redrive", Dlq, "--partition", "1", "--from", "0", "--to", "3");
        var rest = await CliAsync("redrive", Dlq);
        var passedOver = await CliAsync("show", Dlq, "--partition", "1", "--offset", "0", "--limit", "1", "--json");

        Assert.True(range.ExitCode == 0, range.ToString());
        Assert.Equal(["k2", "k3"], keysAfterRange);
        Assert.Equal(4, cursorAfterRange);
        Assert.Contains($"{Dlq}/1: passing over offsets 0..1 (2 dead letter(s)) without redriving them", range.Output, StringComparison.Ordinal);
        Assert.True(below.ExitCode == 0, below.ToString());
        Assert.Contains($"{Dlq}/1: offsets 0..3 are below the redrive cursor (4): redriven or passed over before, not redriven again", below.Output, StringComparison.Ordinal);
        Assert.True(rest.ExitCode == 0, rest.ToString());
        Assert.Equal(["k2", "k3", "k4", "k5"], RedrivenKeys());
        Assert.Equal(6, _kafka.Committed(Topics.RedriveGroup, Dlq, 1));
        var skipped = Assert.Single(passedOver.JsonLines());
        Assert.Equal("k0", skipped.GetProperty("key").GetString());
        Assert.Equal("handled", skipped.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Redrive_DeadLetterWithoutItsValue_StopsBeforeItExitOneAndCursorStaysThere()
    {
        await DeadLetterAsync(0, HandlerFailed("k0", Placed("k0").ToByteArray(), OrderPlacedType, Topics.OrderPlaced, 0, 1, "mesh-users"));
        var dropped = HandlerFailed("k1", Placed("k1").ToByteArray(), OrderPlacedType, Topics.OrderPlaced, 0, 2, "mesh-users");
        dropped.Value = null!;
        dropped.Headers.Add(ValueDropped, Encoding.UTF8.GetBytes("1500 bytes; MsgSizeTooLarge: Broker: Message size too large"));
        await DeadLetterAsync(0, dropped);
        await DeadLetterAsync(0, HandlerFailed("k2", Placed("k2").ToByteArray(), OrderPlacedType, Topics.OrderPlaced, 0, 3, "mesh-users"));

        var stopped = await CliAsync("redrive", Dlq);
        var keysAfterStop = RedrivenKeys();
        var cursorAfterStop = _kafka.Committed(Topics.RedriveGroup, Dlq, 0);
        var passed = await CliAsync("redrive", Dlq, "--partition", "0", "--from", "2");

        Assert.Equal(1, stopped.ExitCode);
        Assert.Contains("without its value", stopped.Output, StringComparison.Ordinal);
        Assert.Equal(["k0"], keysAfterStop);
        Assert.Equal(1, cursorAfterStop);
        Assert.True(passed.ExitCode == 0, passed.ToString());
        Assert.Equal(["k0", "k2"], RedrivenKeys());
        Assert.Equal(3, _kafka.Committed(Topics.RedriveGroup, Dlq, 0));
    }

    [Fact]
    public async Task Redrive_OneSourceRecordDeadLetteredByTwoGroups_ProducedOnce()
    {
        var value = Placed("o-x").ToByteArray();
        await DeadLetterAsync(2, HandlerFailed("o-x", value, OrderPlacedType, Topics.OrderPlaced, 2, 5, "mesh-users"));
        await DeadLetterAsync(2, HandlerFailed("o-x", value, OrderPlacedType, Topics.OrderPlaced, 2, 5, "mesh-notifications"));

        var result = await CliAsync("redrive", Dlq);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"same source record as {Dlq}/2/0", result.Output, StringComparison.Ordinal);
        Assert.Equal(["o-x"], RedrivenKeys());
        Assert.Equal(2, _kafka.Committed(Topics.RedriveGroup, Dlq, 2));
    }

    [Theory]
    [InlineData("redrive", Dlq, "--from", "1")]
    [InlineData("redrive", Dlq, "--partition", "0", "--to", "-1")]
    [InlineData("redrive", Dlq, "--partition", "7")]
    [InlineData("redrive", Dlq, "--partition", "0", "--from", "5")]
    [InlineData("redrive", "mesh.orders.no-such-topic")]
    [InlineData("show", Dlq, "--offset", "1")]
    [InlineData("list", "--kafka-property", "security.protocol")]
    [InlineData("list", "--kafka-property", "group.id=someone-else")]
    public async Task Dlq_UsageErrors_ExitTwoAndDoNothing(params string[] arguments)
    {
        await DeadLetterAsync(0, HandlerFailed("o-a", Placed("o-a").ToByteArray(), OrderPlacedType, Topics.OrderPlaced, 0, 1, "mesh-users"));

        var result = await CliAsync(arguments);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(_kafka.ReadAll(Topics.OrderPlaced));
        Assert.Null(_kafka.Committed(Topics.RedriveGroup, Dlq, 0));
    }

    private Task<CliResult> CliAsync(params string[] arguments) =>
        MeshCli.RunAsync(["dlq", .. arguments, "--bootstrap", _broker.BootstrapServers]);

    private Task<DeliveryResult<string, byte[]>> DeadLetterAsync(int partition, Message<string, byte[]> message) =>
        _kafka.ProduceAsync(Dlq, partition, message);

    private List<string> RedrivenKeys() => [.. _kafka.ReadAll(Topics.OrderPlaced).Select(r => r.Message.Key).Order(StringComparer.Ordinal)];

    private static OrderPlaced Placed(string orderId) => new()
    {
        EventId = "evt-" + orderId,
        OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        OrderId = orderId,
        UserId = "user-" + orderId,
        IdempotencyKey = "key-" + orderId,
        Lines = { new OrderPlacedLine { Sku = "TEA-GREEN", Quantity = 2, UnitPriceCents = 450 } },
        TotalCents = 900,
    };
}
