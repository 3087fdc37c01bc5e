using Confluent.Kafka;
using Mesh.Contracts;
using Mesh.Messaging;
using Microsoft.Extensions.Options;

namespace Mesh.Users.Replay;

/// <summary>
/// Reads topics from their first retained record up to high watermarks captured beforehand, with a
/// plain assigned consumer: no group is joined and nothing is committed, so reading never disturbs
/// the service's own consumer group. The client properties of <c>Kafka:Consumer</c> apply (the dev
/// broker needs a short fetch.wait.max.ms), except those that would make it a group member.
/// </summary>
public sealed class LogReader(IOptions<KafkaOptions> options)
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly HashSet<string> GroupProperties = ["group.id", "group.instance.id", "enable.auto.commit", "enable.auto.offset.store", "group.protocol"];

    /// <summary>The current [low, high) range of every partition of each topic.</summary>
    public IReadOnlyList<PartitionRange> CaptureRanges(IEnumerable<string> topics)
    {
        using var consumer = Build();
        return topics
            .SelectMany(topic => Enumerable.Range(0, PartitionsOf(topic)).Select(p => new TopicPartition(topic, p)))
            .Select(tp =>
            {
                var marks = consumer.QueryWatermarkOffsets(tp, QueryTimeout);
                return new PartitionRange(tp.Topic, tp.Partition.Value, marks.Low.Value, marks.High.Value);
            })
            .ToList();
    }

    /// <summary>Calls <paramref name="onRecord"/> for every record in <paramref name="ranges"/>, partition by partition in offset order.</summary>
    public async Task ReadAsync(
        IReadOnlyList<PartitionRange> ranges, Func<ConsumeResult<string, byte[]>, Task> onRecord, CancellationToken cancellationToken)
    {
        var pending = ranges.Where(r => r.Count > 0).ToDictionary(r => new TopicPartition(r.Topic, r.Partition));
        if (pending.Count == 0)
        {
            return;
        }

        using var consumer = Build();
        consumer.Assign(pending.Select(p => new TopicPartitionOffset(p.Key, p.Value.Low)));
        try
        {
            while (pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Short blocking polls: prefetched records return at once, and cancellation is seen.
                var record = consumer.Consume(PollTimeout);
                if (record is null || !pending.TryGetValue(record.TopicPartition, out var range))
                {
                    continue;
                }

                if (record.IsPartitionEOF || record.Offset.Value >= range.High)
                {
                    // At or past the captured end: what comes after belongs to the live consumer.
                    pending.Remove(record.TopicPartition);
                    continue;
                }

                await onRecord(record);
                if (record.Offset.Value + 1 >= range.High)
                {
                    pending.Remove(record.TopicPartition);
                }
            }
        }
        finally
        {
            consumer.Close();
        }
    }

    private static int PartitionsOf(string topic) =>
        EventContracts.All.FirstOrDefault(c => c.Topic == topic)?.Partitions
        ?? throw new ArgumentException($"'{topic}' is not the topic of an event contract.", nameof(topic));

    private IConsumer<string, byte[]> Build()
    {
        var kafka = options.Value;
        var config = new ConsumerConfig(kafka.Consumer
            .Where(p => !GroupProperties.Contains(p.Key))
            .ToDictionary(p => p.Key, p => p.Value))
        {
            BootstrapServers = kafka.BootstrapServers,
            // Required by the client even when no group is joined; never used to commit.
            GroupId = $"{kafka.ConsumerGroup}-reader-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        };
        return new ConsumerBuilder<string, byte[]>(config).Build();
    }
}
