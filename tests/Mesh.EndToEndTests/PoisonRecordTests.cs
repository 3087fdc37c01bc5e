using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Mesh.Contracts;
using Mesh.EndToEndTests.Infrastructure;

namespace Mesh.EndToEndTests;

[Collection(MeshCollection.Name)]
public sealed class PoisonRecordTests(MeshFixture mesh)
{
    // Header names and reasons of Mesh.Messaging's DeadLetterHeaders (this project does not
    // reference the library; the names are the documented contract anyway).
    private const string MessageType = "message-type";
    private const string Reason = "mesh-dlq-reason";
    private const string Attempts = "mesh-dlq-attempts";
    private const string SourceTopic = "mesh-dlq-source-topic";
    private const string SourcePartition = "mesh-dlq-source-partition";
    private const string SourceOffset = "mesh-dlq-source-offset";
    private const string ConsumerGroup = "mesh-dlq-consumer-group";

    // The groups of the services that consume OrderPlaced (their appsettings.json).
    private static readonly string[] MeshGroups = ["mesh-users", "mesh-orders", "mesh-notifications"];

    [Fact]
    public async Task OrderPlacedTopic_UnparsableUnknownAndUntypedRecords_DeadLetteredWithoutStallingAnyPartition()
    {
        var contract = EventContracts.All.Single(c => c.Topic == Topics.OrderPlaced);
        var run = Guid.NewGuid().ToString("N")[..8];
        var poison = new List<(DeliveryResult<string, byte[]> Record, string Reason)>();
        using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = mesh.KafkaBootstrap }).Build())
        {
            for (var partition = 0; partition < contract.Partitions; partition++)
            {
                var target = new TopicPartition(contract.Topic, partition);
                poison.Add((await producer.ProduceAsync(target, Record($"garbage-{run}", contract.MessageType, [0xFF, 0xFF, 0xFF, 0x01])),
                    "unparsable"));
                poison.Add((await producer.ProduceAsync(target, Record($"unknown-{run}", "mesh.events.v1.NoSuchEvent", [0x0A, 0x01, 0x78])),
                    "unknown-type"));
                poison.Add((await producer.ProduceAsync(target, new Message<string, byte[]> { Key = $"untyped-{run}", Value = [0x0A, 0x01, 0x78] }),
                    "missing-type"));
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

        var deadLetters = ReadDeadLetters(Topics.DeadLetter(contract.Topic), run, poison.Count);

        Assert.Equal(orders.Order(), notified.Order());
        foreach (var (record, reason) in poison)
        {
            var letters = deadLetters.Where(d => Header(d, SourceOffset) == Text(record.Offset.Value)
                && d.Partition == record.Partition).ToList();
            Assert.NotEmpty(letters);
            Assert.All(letters, letter =>
            {
                Assert.Equal(record.Message.Key, letter.Message.Key);
                Assert.Equal(record.Message.Value, letter.Message.Value);
                Assert.Equal(reason, Header(letter, Reason));
                Assert.Equal("0", Header(letter, Attempts));
                Assert.Equal(contract.Topic, Header(letter, SourceTopic));
                Assert.Equal(Text(record.Partition.Value), Header(letter, SourcePartition));
                Assert.Contains(Header(letter, ConsumerGroup), MeshGroups);
            });
        }
    }

    /// <summary>
    /// Every dead letter of this run's records. Each group that consumes the topic dead-letters a
    /// record once (or more, at least once), so reading stops once every record has one, plus a
    /// short grace for the other groups.
    /// </summary>
    private List<ConsumeResult<string, byte[]>> ReadDeadLetters(string topic, string run, int records)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = mesh.KafkaBootstrap,
            GroupId = "poison-reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        using var consumer = new ConsumerBuilder<string, byte[]>(config).Build();
        consumer.Subscribe(topic);
        var letters = new List<ConsumeResult<string, byte[]>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        DateTime? complete = null;
        while (DateTime.UtcNow < deadline && (complete is null || DateTime.UtcNow < complete.Value.AddSeconds(2)))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } letter && letter.Message.Key?.EndsWith(run, StringComparison.Ordinal) == true)
            {
                letters.Add(letter);
            }

            if (complete is null && letters.Select(l => (l.Partition.Value, Header(l, SourceOffset))).Distinct().Count() >= records)
            {
                complete = DateTime.UtcNow;
            }
        }

        consumer.Close();
        return letters;
    }

    private static Message<string, byte[]> Record(string key, string messageType, byte[] value) => new()
    {
        Key = key,
        Value = value,
        Headers = new Headers { { MessageType, Encoding.UTF8.GetBytes(messageType) } },
    };

    private static string Header(ConsumeResult<string, byte[]> record, string name) =>
        record.Message.Headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : "";

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
