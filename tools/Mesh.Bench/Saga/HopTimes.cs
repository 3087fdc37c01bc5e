using Confluent.Kafka;
using Google.Protobuf;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;

namespace Mesh.Bench.Saga;

/// <summary>
/// Where an order's time goes, from the timestamps its producers gave the saga's records (the
/// services and the benchmark share one clock): the call until OrderPlaced was produced, until
/// the credit decision was, until the outcome was, until the notification reached the client.
/// Each hop includes the previous record's publish, the consumer's fetch and the handler's work.
/// </summary>
public static class HopTimes
{
    public static readonly string[] Hops = ["call → OrderPlaced", "OrderPlaced → credit decided", "credit decided → outcome", "outcome → notification"];

    /// <summary>For each order id, when each of its saga records was produced.</summary>
    public static Dictionary<string, DateTime[]> Read(string bootstrap)
    {
        var stages = new Dictionary<string, int>
        {
            [EventContracts.For<OrderPlaced>().Topic] = 0,
            [EventContracts.For<CreditReserved>().Topic] = 1,
            [EventContracts.For<CreditRejected>().Topic] = 1,
            [EventContracts.For<OrderConfirmed>().Topic] = 2,
            [EventContracts.For<OrderRejected>().Topic] = 2,
        };
        var times = new Dictionary<string, DateTime[]>();
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "mesh-bench-saga-hops",
            EnableAutoCommit = false,
            FetchWaitMaxMs = 10,
        }).SetLogHandler((_, _) => { }).Build();
        foreach (var contract in EventContracts.All.Where(c => stages.ContainsKey(c.Topic)))
        {
            var orderId = contract.Descriptor.FindFieldByName("order_id");
            for (var partition = 0; partition < contract.Partitions; partition++)
            {
                var topicPartition = new TopicPartition(contract.Topic, partition);
                var end = consumer.QueryWatermarkOffsets(topicPartition, TimeSpan.FromSeconds(10)).High.Value;
                consumer.Assign(new TopicPartitionOffset(topicPartition, Offset.Beginning));
                while (end > 0)
                {
                    var result = consumer.Consume(TimeSpan.FromSeconds(10));
                    if (result is null)
                    {
                        break;
                    }

                    var @event = contract.Descriptor.Parser.ParseFrom(result.Message.Value);
                    var id = (string)orderId.Accessor.GetValue(@event);
                    if (!times.TryGetValue(id, out var stamps))
                    {
                        times[id] = stamps = new DateTime[3];
                    }

                    stamps[stages[contract.Topic]] = result.Message.Timestamp.UtcDateTime;
                    if (result.Offset.Value >= end - 1)
                    {
                        break;
                    }
                }

                consumer.Unassign();
            }
        }

        return times;
    }

    /// <summary>The four hops of one notified order, or null when a record is missing.</summary>
    public static TimeSpan[]? Of(OrderTrack order, IReadOnlyDictionary<string, DateTime[]> times, string orderId)
    {
        if (!times.TryGetValue(orderId, out var stamps) || stamps.Any(s => s == default) || order.NotifiedTicks == 0)
        {
            return null;
        }

        return [stamps[0] - order.CalledUtc, stamps[1] - stamps[0], stamps[2] - stamps[1], order.NotifiedUtc - stamps[2]];
    }
}
