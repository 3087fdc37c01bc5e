using System.Globalization;
using Confluent.Kafka;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;
using static Mesh.EndToEndTests.Infrastructure.DeadLetterRecords;

namespace Mesh.EndToEndTests;

/// <summary>
/// <c>mesh dlq redrive</c> against the running mesh: dead letters of events the services already
/// applied, redriven by the CLI process, reach every consumer again and change nothing, because
/// every consumer applies an event once (by its event id).
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class DeadLetterRedriveTests(MeshFixture mesh)
{
    private static readonly TimeSpan SagaWait = TimeSpan.FromSeconds(60);

    // The groups that consume OrderPlaced and CreditReserved (EventSubscriptions).
    private static readonly string[] Consumers = ["mesh-users", "mesh-orders"];

    [Fact]
    public async Task Redrive_OrderPlacedAndCreditReservedAlreadyApplied_RedrivenCopiesChangeNoCreditOrderOrNotification()
    {
        var kafka = new KafkaLog(mesh.KafkaBootstrap);
        var users = new Users.UsersClient(mesh.Gateway);
        var user = await TestUser.CreateAsync(mesh.Gateway);
        await using var stream = await NotificationStream.OpenAsync(user);
        var order = await user.PlaceOrderAsync("redrive-1", TestUser.Line(TestCatalog.Cent, quantity: 1_234));
        var notified = await stream.NextAsync(SagaWait);
        var creditBefore = await Eventually.ReadAsync(
            () => users.GetCreditAsync(new GetCreditRequest(), user.Call()).ResponseAsync, c => c.SpentCents == 1_234, SagaWait);
        var placed = kafka.ReadAll(Topics.OrderPlaced).Single(r => r.Message.Key == order.OrderId);
        var reserved = kafka.ReadAll(Topics.CreditReserved).Single(r => r.Message.Key == user.UserId);
        var placedLetter = await kafka.ProduceAsync(Topics.DeadLetter(Topics.OrderPlaced), placed.Partition.Value, HandlerFailed(placed, "mesh-users"));
        var reservedLetter = await kafka.ProduceAsync(Topics.DeadLetter(Topics.CreditReserved), reserved.Partition.Value, HandlerFailed(reserved, "mesh-orders"));

        var redrives = new List<CliResult>();
        foreach (var letter in new[] { placedLetter, reservedLetter })
        {
            var offset = letter.Offset.Value.ToString(CultureInfo.InvariantCulture);
            redrives.Add(await MeshCli.RunAsync(
                "dlq", "redrive", letter.Topic, "--partition", letter.Partition.Value.ToString(CultureInfo.InvariantCulture),
                "--from", offset, "--to", offset, "--bootstrap", mesh.KafkaBootstrap));
        }

        var placedCopy = RedrivenCopy(kafka, Topics.OrderPlaced, placedLetter);
        var reservedCopy = RedrivenCopy(kafka, Topics.CreditReserved, reservedLetter);
        await WaitConsumedAsync(kafka, placedCopy);
        await WaitConsumedAsync(kafka, reservedCopy);
        // The users service answers the OrderPlaced copy by republishing its decision, if at all, with
        // the same event id; wait until the orders service consumed whatever it published, too.
        var decisions = kafka.ReadAll(Topics.CreditReserved).Where(r => r.Message.Key == user.UserId).ToList();
        await WaitConsumedAsync(kafka, decisions.MaxBy(r => r.Offset.Value)!);
        var creditAfter = await users.GetCreditAsync(new GetCreditRequest(), user.Call());
        var orderAfter = await user.Orders.GetOrderAsync(new GetOrderRequest { OrderId = order.OrderId }, user.Call());
        var listed = await user.Orders.ListOrdersAsync(new ListOrdersRequest { PageSize = 10 }, user.Call());
        var moreNotifications = await stream.DrainAsync(TimeSpan.FromSeconds(3));
        var stored = await user.Notifications.ListNotificationsAsync(new ListNotificationsRequest { PageSize = 10 }, user.Call());

        Assert.All(redrives, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(order.OrderId, notified.OrderId);
        Assert.Equal(placed.Message.Value, placedCopy.Message.Value);
        Assert.Equal(reserved.Message.Value, reservedCopy.Message.Value);
        Assert.Equal(Header(placed.Message, TraceParent), Header(placedCopy.Message, TraceParent));
        Assert.Single(decisions.Select(r => CreditReserved.Parser.ParseFrom(r.Message.Value).EventId).Distinct());
        Assert.Equal(creditBefore, creditAfter);
        Assert.Equal(OrderStatus.Confirmed, orderAfter.Status);
        Assert.Equal([order.OrderId], listed.Orders.Select(o => o.OrderId));
        Assert.Empty(moreNotifications);
        Assert.Equal([order.OrderId], stored.Notifications.Select(n => n.OrderId));
    }

    /// <summary>The record the CLI produced back to the source topic for a dead letter, found by its redrive header.</summary>
    private static ConsumeResult<string, byte[]> RedrivenCopy(KafkaLog kafka, string topic, DeliveryResult<string, byte[]> letter) =>
        kafka.ReadAll(topic).Single(r => Header(r.Message, RedrivenFrom) == $"{letter.Topic}/{letter.Partition.Value}/{letter.Offset.Value}");

    /// <summary>Until every group that consumes the topic committed past the record: it was handled.</summary>
    private async Task WaitConsumedAsync(KafkaLog kafka, ConsumeResult<string, byte[]> record)
    {
        foreach (var group in Consumers)
        {
            var committed = await Eventually.ReadAsync(
                () => Task.FromResult(kafka.Committed(group, record.Topic, record.Partition.Value)),
                offset => offset > record.Offset.Value,
                SagaWait);
            Assert.True(committed > record.Offset.Value, $"{group} never committed past {record.TopicPartitionOffset}.\n{mesh.Logs()}");
        }
    }
}
