using System.Text;
using Confluent.Kafka;
using Mesh.Contracts;
using Mesh.EndToEndTests.Infrastructure;

namespace Mesh.EndToEndTests;

[Collection(MeshCollection.Name)]
public sealed class PoisonRecordTests(MeshFixture mesh)
{
    [Fact]
    public async Task OrderPlacedTopic_UnparsableAndUnknownRecords_SkippedWithoutStallingAnyPartition()
    {
        var contract = EventContracts.All.Single(c => c.Topic == Topics.OrderPlaced);
        using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = mesh.KafkaBootstrap }).Build())
        {
            for (var partition = 0; partition < contract.Partitions; partition++)
            {
                var target = new TopicPartition(contract.Topic, partition);
                await producer.ProduceAsync(target, Record("garbage", contract.MessageType, [0xFF, 0xFF, 0xFF, 0x01]));
                await producer.ProduceAsync(target, Record("unknown", "mesh.events.v1.NoSuchEvent", [0x0A, 0x01, 0x78]));
                await producer.ProduceAsync(target, new Message<string, byte[]> { Key = "untyped", Value = [0x0A, 0x01, 0x78] });
            }
        }

        var user = await TestUser.CreateAsync(mesh.Gateway);
        await using var stream = await NotificationStream.OpenAsync(user);
        var orders = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            orders.Add((await user.PlaceOrderAsync($"after-poison-{i}", TestUser.Line())).OrderId);
        }

        var notified = new List<string>();
        while (notified.Count < orders.Count)
        {
            notified.Add((await stream.NextAsync(TimeSpan.FromSeconds(10))).OrderId);
        }

        Assert.Equal(orders.Order(), notified.Order());
    }

    private static Message<string, byte[]> Record(string key, string messageType, byte[] value) => new()
    {
        Key = key,
        Value = value,
        Headers = new Headers { { "message-type", Encoding.UTF8.GetBytes(messageType) } },
    };
}
