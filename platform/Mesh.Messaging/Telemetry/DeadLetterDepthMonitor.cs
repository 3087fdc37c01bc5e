using Confluent.Kafka;
using Mesh.Contracts;
using Mesh.Messaging.Consuming;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Telemetry;

/// <summary>
/// Measures every <c>Kafka:DeadLetterDepthInterval</c> how many records of each dead-letter topic
/// of this consumer's topics are not redriven yet: per partition, the high watermark minus the
/// offset group <see cref="Topics.RedriveGroup"/> committed there (<c>mesh dlq redrive</c>), or
/// minus the log start where it committed nothing or retention went past it. It uses a client of
/// its own that joins no group (it only reads that group's offsets, never commits), off the poll
/// thread, so a slow or unreachable broker delays nothing but the gauge; a failed measurement is
/// logged at debug level and the last value kept.
/// </summary>
internal sealed class DeadLetterDepthMonitor(
    IEnumerable<IEventDispatcher> dispatchers,
    DeadLetterDepths depths,
    IOptions<KafkaOptions> options,
    TimeProvider time,
    ILogger<DeadLetterDepthMonitor> logger) : BackgroundService
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var topics = dispatchers.Select(d => Topics.DeadLetter(d.Contract.Topic)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (topics.Count == 0)
        {
            return;
        }

        // librdkafka's calls block, so they run on the pool rather than on the host's start.
        using var consumer = await Task.Run(CreateClient, stoppingToken);
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        using var timer = new PeriodicTimer(options.Value.DeadLetterDepthInterval, time);
        try
        {
            do
            {
                await Task.Run(() => MeasureAll(consumer, admin, topics, stoppingToken), stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private IConsumer<Ignore, Ignore> CreateClient()
    {
        var config = new ConsumerConfig();
        options.Value.ApplyClientSettings(config);
        config.BootstrapServers = options.Value.BootstrapServers;
        // Committed() reads the offsets of the consumer's group.id; never subscribing, the client
        // never joins that group, and with auto-commit off it can never commit for it either.
        config.GroupId = Topics.RedriveGroup;
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.ClientId = "mesh-dead-letter-depth";
        return new ConsumerBuilder<Ignore, Ignore>(config)
            // Debug at most: while brokers are unreachable the consumer and producer say so already.
            .SetLogHandler((_, message) => KafkaLogBridge.Write(logger, message, LogLevel.Debug))
            .SetErrorHandler((_, error) => Log.DeadLetterDepthClientError(logger, error.Code, error.Reason))
            .Build();
    }

    private void MeasureAll(IConsumer<Ignore, Ignore> consumer, IAdminClient admin, List<string> topics, CancellationToken stoppingToken)
    {
        foreach (var topic in topics)
        {
            stoppingToken.ThrowIfCancellationRequested();
            try
            {
                depths.Set(topic, Measure(consumer, admin, topic));
            }
            catch (KafkaException exception)
            {
                Log.DeadLetterDepthFailed(logger, topic, exception.Error.Code, exception.Error.Reason);
            }
        }
    }

    private static long Measure(IConsumer<Ignore, Ignore> consumer, IAdminClient admin, string topic)
    {
        var metadata = admin.GetMetadata(topic, RequestTimeout).Topics.SingleOrDefault(t => t.Topic == topic);
        if (metadata is null || metadata.Error.IsError)
        {
            throw new KafkaException(metadata?.Error ?? new Error(ErrorCode.UnknownTopicOrPart));
        }

        var partitions = metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        var committed = consumer.Committed(partitions, RequestTimeout).ToDictionary(c => c.Partition, c => c.Offset);
        var depth = 0L;
        foreach (var partition in partitions)
        {
            var watermarks = consumer.QueryWatermarkOffsets(partition, RequestTimeout);
            var redriven = committed.GetValueOrDefault(partition.Partition, Offset.Unset);
            var from = redriven.Value >= 0 ? Math.Max(redriven.Value, watermarks.Low.Value) : watermarks.Low.Value;
            depth += Math.Max(0, watermarks.High.Value - from);
        }

        return depth;
    }
}
