using System.Text;
using Confluent.Kafka;
using Google.Protobuf;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Testing;

namespace Mesh.Messaging.Tests.Support;

/// <summary>Plain Confluent clients, to write what IEventPublisher never would and to read what it wrote.</summary>
public static class RawKafka
{
    public static async Task<DeliveryResult<string, byte[]>> ProduceAsync(string bootstrap, string topic, string key,
        byte[] value, string? messageType)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        var headers = new Headers();
        if (messageType is not null)
        {
            headers.Add(MessageHeaders.MessageType, Encoding.UTF8.GetBytes(messageType));
        }

        using var timeout = new CancellationTokenSource(MessagingHost.Wait);
        return await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = key, Value = value, Headers = headers }, timeout.Token);
    }

    /// <summary>Produces the events in order (idempotent, so retries keep it) and returns where each landed.</summary>
    public static List<DeliveryResult<string, byte[]>> ProduceInOrder(string bootstrap, IEnumerable<OrderPlaced> orders)
    {
        var config = new ProducerConfig { BootstrapServers = bootstrap, EnableIdempotence = true, LingerMs = 5 };
        using var producer = new ProducerBuilder<string, byte[]>(config).Build();
        var results = new List<DeliveryResult<string, byte[]>>();
        var failures = 0;
        foreach (var order in orders)
        {
            var headers = new Headers { { MessageHeaders.MessageType, Encoding.UTF8.GetBytes(OrderPlaced.Descriptor.FullName) } };
            producer.Produce(Topics.OrderPlaced, new Message<string, byte[]> { Key = order.OrderId, Value = order.ToByteArray(), Headers = headers },
                report =>
                {
                    lock (results)
                    {
                        results.Add(report);
                        failures += report.Error.IsError ? 1 : 0;
                    }
                });
        }

        producer.Flush(MessagingHost.Wait);
        Assert.Equal(0, failures);
        return results;
    }

    /// <summary>The high watermark (offset after the last record) of a partition.</summary>
    public static Offset End(string bootstrap, TopicPartition partition)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "watermarks" }).Build();
        return consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).High;
    }

    /// <summary>Records ever written to the topic: the sum of its partitions' high watermarks.</summary>
    public static long Count(string bootstrap, string topic) =>
        Enumerable.Range(0, EventContracts.All.First(c => Topics.DeadLetter(c.Topic) == topic || c.Topic == topic).Partitions)
            .Sum(partition => End(bootstrap, new TopicPartition(topic, partition)).Value);

    /// <summary>The offset the group committed for a partition, or <see cref="Offset.Unset"/>.</summary>
    public static Offset Committed(string bootstrap, string group, TopicPartition partition)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group }).Build();
        return consumer.Committed([partition], TimeSpan.FromSeconds(10)).Single().Offset;
    }

    /// <summary>Polls <see cref="Committed"/> until it reaches <paramref name="expected"/> or the wait is over.</summary>
    public static Task<Offset> WaitForCommittedAsync(string bootstrap, string group, TopicPartition partition, Offset expected) =>
        Poll.ReadAsync(() => Task.FromResult(Committed(bootstrap, group, partition)), committed => committed == expected, MessagingHost.Wait);

    /// <summary>Reads every record of the topic from the beginning until <paramref name="count"/> arrived.</summary>
    public static List<ConsumeResult<string, byte[]>> ReadAll(string bootstrap, string topic, int count)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "raw-reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        using var consumer = new ConsumerBuilder<string, byte[]>(config).Build();
        consumer.Subscribe(topic);
        var records = new List<ConsumeResult<string, byte[]>>();
        using var timeout = new CancellationTokenSource(MessagingHost.Wait);
        while (records.Count < count)
        {
            records.Add(consumer.Consume(timeout.Token));
        }

        consumer.Close();
        return records;
    }
}
