using Confluent.Kafka;
using Google.Protobuf;
using Mesh.Contracts;

namespace Mesh.Testing;

/// <summary>A plain Confluent.Kafka client for what a test writes to and reads from topics, independent of the code under test.</summary>
public sealed class KafkaLog(string bootstrap)
{
    public async Task<DeliveryResult<string, byte[]>> ProduceAsync(string topic, int partition, Message<string, byte[]> message)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 0 }).Build();
        return await producer.ProduceAsync(new TopicPartition(topic, partition), message);
    }

    /// <summary>An event as a service publishes it: its contract's topic, partition key and <c>message-type</c> header.</summary>
    public async Task ProduceAsync(IMessage @event)
    {
        var contract = EventContracts.For(@event.Descriptor.FullName);
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 0 }).Build();
        await producer.ProduceAsync(contract.Topic, new Message<string, byte[]>
        {
            Key = contract.PartitionKey(@event),
            Value = @event.ToByteArray(),
            Headers = new Headers { { "message-type", System.Text.Encoding.UTF8.GetBytes(contract.MessageType) } },
        });
    }

    /// <summary>Every event the topic holds now, parsed (see <see cref="ReadAll"/>).</summary>
    public List<T> ReadEvents<T>(string topic)
        where T : IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return ReadAll(topic).Select(record => parser.ParseFrom(record.Message.Value)).ToList();
    }

    /// <summary>Every record the topic holds now, partition after partition, read by assignment (no group joined).</summary>
    public List<ConsumeResult<string, byte[]>> ReadAll(string topic)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "test-reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            FetchWaitMaxMs = 10,
        };
        using var consumer = new ConsumerBuilder<string, byte[]>(config).SetLogHandler((_, _) => { }).Build(); // a test may have set the broker down
        var records = new List<ConsumeResult<string, byte[]>>();
        for (var partition = 0; partition < PartitionsOf(topic); partition++)
        {
            var position = new TopicPartition(topic, partition);
            var marks = consumer.QueryWatermarkOffsets(position, TimeSpan.FromSeconds(10));
            var held = marks.High.Value - marks.Low.Value;
            consumer.Assign(new TopicPartitionOffset(position, Offset.Beginning));
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (records.Count(r => r.Partition.Value == partition) < held && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
                {
                    records.Add(record);
                }
            }
        }

        consumer.Close();
        return records;
    }

    /// <summary>The offset <paramref name="group"/> committed on a partition; null when it committed none.</summary>
    public long? Committed(string group, string topic, int partition)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group, EnableAutoCommit = false }).Build();
        var offset = consumer.Committed([new TopicPartition(topic, partition)], TimeSpan.FromSeconds(10)).Single().Offset;
        return offset.Value >= 0 ? offset.Value : null;
    }

    private static int PartitionsOf(string topic) =>
        EventContracts.All.Single(c => c.Topic == topic || Topics.DeadLetter(c.Topic) == topic).Partitions;
}
