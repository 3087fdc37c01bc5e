using Confluent.Kafka;
using Mesh.Messaging;
using Microsoft.Extensions.Options;

namespace Mesh.Replay;

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

    /// <summary>
    /// The current [low, high) range of every partition each topic really has (asked of the
    /// brokers, not taken from the contracts: an operator may have added partitions).
    /// </summary>
    public Task<IReadOnlyList<PartitionRange>> CaptureRangesAsync(IEnumerable<string> topics, CancellationToken cancellationToken) =>
        // The client calls block; a pool thread keeps the caller's (a gRPC handler's) free.
        Task.Run(() => CaptureRanges(topics), cancellationToken);

    /// <inheritdoc cref="CaptureRangesAsync"/>
    public IReadOnlyList<PartitionRange> CaptureRanges(IEnumerable<string> topics)
    {
        using var consumer = Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        return topics
            .SelectMany(topic => PartitionsOf(admin, topic).Select(p => new TopicPartition(topic, p)))
            .Select(tp =>
            {
                var marks = consumer.QueryWatermarkOffsets(tp, QueryTimeout);
                return new PartitionRange(tp.Topic, tp.Partition.Value, marks.Low.Value, marks.High.Value);
            })
            .ToList();
    }

    /// <summary>
    /// Calls <paramref name="onRecord"/> for every record in <paramref name="ranges"/>, partition by
    /// partition in offset order; fails if the log dropped records of the ranges before they were read.
    /// </summary>
    public Task ReadAsync(
        IReadOnlyList<PartitionRange> ranges, Func<ConsumeResult<string, byte[]>, Task> onRecord, CancellationToken cancellationToken) =>
        ReadAsync(ranges, onRecord, gap => throw new InvalidOperationException(
            $"The log dropped {gap.Missed} record(s) of {gap.Topic} [{gap.Partition}] from offset {gap.Expected} before they were read."),
            cancellationToken);

    /// <summary>
    /// Calls <paramref name="onRecord"/> for every record in <paramref name="ranges"/>, partition by
    /// partition in offset order, and <paramref name="onGap"/> for records of the ranges the log
    /// dropped before they were read (its start moved on), which <paramref name="onRecord"/> never sees.
    /// </summary>
    public async Task ReadAsync(
        IReadOnlyList<PartitionRange> ranges, Func<ConsumeResult<string, byte[]>, Task> onRecord,
        Func<LogGap, Task> onGap, CancellationToken cancellationToken)
    {
        var cursors = new ReadCursors(ranges);
        if (cursors.Done)
        {
            return;
        }

        using var consumer = Build();
        consumer.Assign(cursors.Starts);
        try
        {
            while (!cursors.Done)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Short blocking polls: prefetched records return at once, and cancellation is seen.
                var record = consumer.Consume(PollTimeout);
                if (record is null)
                {
                    continue;
                }

                var (read, gap) = cursors.Advance(record.TopicPartition, record.Offset.Value, record.IsPartitionEOF);
                if (gap is not null)
                {
                    await onGap(gap);
                }

                if (read)
                {
                    await onRecord(record);
                }
            }
        }
        finally
        {
            consumer.Close();
        }
    }

    private static IEnumerable<int> PartitionsOf(IAdminClient admin, string topic)
    {
        var metadata = admin.GetMetadata(topic, QueryTimeout).Topics.SingleOrDefault(t => t.Topic == topic);
        if (metadata is null || metadata.Error.IsError)
        {
            throw new KafkaException(metadata?.Error ?? new Error(ErrorCode.UnknownTopicOrPart, $"No metadata for {topic}."));
        }

        return metadata.Partitions.Select(p => p.PartitionId).Order();
    }

    private IConsumer<string, byte[]> Build()
    {
        var kafka = options.Value;
        var config = new ConsumerConfig();
        kafka.ApplyClientSettings(config);
        foreach (var (key, value) in kafka.Consumer.Where(p => !GroupProperties.Contains(p.Key)))
        {
            config.Set(key, value);
        }

        config.BootstrapServers = kafka.BootstrapServers;
        // Required by the client even when no group is joined; never used to commit.
        config.GroupId = $"{kafka.ConsumerGroup}-reader-{Guid.NewGuid():N}";
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = true;
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        return new ConsumerBuilder<string, byte[]>(config).Build();
    }
}
