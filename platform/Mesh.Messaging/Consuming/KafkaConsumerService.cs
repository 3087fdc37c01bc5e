using Confluent.Kafka;
using Mesh.Messaging.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Consuming;

/// <summary>
/// The one consumer of the service: a single group member subscribed to the topics of every
/// registered handler. Its poll thread hands records to the <see cref="RecordScheduler"/> (per-key
/// order, parallel keys), stores per partition the offset below which every record is finished,
/// pauses fetching while too many records are unfinished, and drains on revocation and shutdown.
/// librdkafka commits the stored offsets in the background, on revocation and on close.
/// </summary>
internal sealed class KafkaConsumerService(
    RecordScheduler scheduler,
    RecordProcessor processor,
    ConsumerFactory consumers,
    KafkaClientMonitor clients,
    IOptions<KafkaOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<KafkaConsumerService> logger) : BackgroundService
{
    // Short, so that finished records are stored and paused partitions resumed promptly while idle.
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(100);

    // librdkafka commits stored offsets only every auto.commit.interval.ms (and on revocation and
    // close, after a store of everything finished), so the loop stores at most this often instead
    // of after every record: one native call per interval and partition, not one per record.
    private const long StoreIntervalMs = 10;

    // At most this many new lanes wait on the poll thread before they are handed over.
    private const int DispatchBatch = 64;

    // Touched only on the poll thread (rebalance callbacks run inside Consume and Close).
    private readonly Dictionary<TopicPartition, PartitionTracker> _partitions = [];
    private bool _paused;
    private long? _fullSince;
    private bool _assignmentChanged;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Consume blocks inside librdkafka, so the loop gets a thread of its own instead of a pool
        // thread, and none of the ambient context (Activity.Current, baggage) of the host's start;
        // the record tasks it starts inherit none either.
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    private void Run(CancellationToken stoppingToken)
    {
        using var failed = new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, failed.Token);
        IConsumer<string, byte[]>? consumer = null;
        try
        {
            consumer = consumers.Create(new ConsumerCallbacks(OnAssigned, OnRevoked, OnLost, failed.Cancel));
            Log.Subscribing(logger, options.Value.ConsumerGroup, string.Join(", ", processor.Topics));
            consumer.Subscribe(processor.Topics);
            ConsumeUntilStopped(consumer, stop.Token);
        }
        catch (ConsumeException exception) when (exception.Error.IsFatal)
        {
            Log.FatalError(logger, "consumer", exception.Error.Code, exception.Error.Reason);
            failed.Cancel();
        }
        catch (Exception exception)
        {
            Log.ConsumerCrashed(logger, exception);
            failed.Cancel();
        }
        finally
        {
            if (consumer is not null)
            {
                // Stop fetching, let handlers in progress finish, store what finished, then close
                // (which commits it and leaves the group at once).
                Drain(consumer, [.. _partitions.Values]);
                Close(consumer);
            }
        }

        if (failed.IsCancellationRequested)
        {
            lifetime.StopApplication();
        }
    }

    private void ConsumeUntilStopped(IConsumer<string, byte[]> consumer, CancellationToken stop)
    {
        long storeDue = 0;
        while (!stop.IsCancellationRequested)
        {
            if (Environment.TickCount64 >= storeDue)
            {
                StoreFinished(consumer, _partitions.Values);
                storeDue = Environment.TickCount64 + StoreIntervalMs;
            }

            if (IsFull(consumer))
            {
                scheduler.WaitForProgress(PollTimeout);
                continue;
            }

            ConsumeResult<string, byte[]>? record;
            try
            {
                // While lanes wait to be dispatched, only what is already fetched is taken.
                record = consumer.Consume(scheduler.Ready > 0 ? TimeSpan.Zero : PollTimeout);
            }
            catch (ConsumeException exception) when (!exception.Error.IsFatal)
            {
                scheduler.Dispatch();
                Log.ConsumeFailed(logger, exception.Error.Code, exception.Error.Reason);
                continue;
            }

            if (record is null || record.IsPartitionEOF)
            {
                scheduler.Dispatch();
                continue;
            }

            if (!_partitions.TryGetValue(record.TopicPartition, out var partition))
            {
                // Not expected (assignment comes first), but a record must never go untracked.
                partition = _partitions[record.TopicPartition] = new PartitionTracker(record.TopicPartition);
            }

            scheduler.Schedule(partition.Track(record));
            if (scheduler.Ready >= DispatchBatch)
            {
                scheduler.Dispatch();
            }
        }

        scheduler.Dispatch();
    }

    /// <summary>
    /// True while Kafka:MaxBufferedRecords records are unfinished: the loop then takes no more
    /// records and waits for handlers. If that lasts longer than Kafka:PauseAfter, it pauses every
    /// assigned partition and goes back to polling, because rebalances, statistics and
    /// max.poll.interval.ms are served only by polling; it resumes at half the limit. Pausing is the
    /// slow path: librdkafka drops what it prefetched and takes up to a second to fetch again, so
    /// pausing after a short stall (handlers starved of CPU, say) costs more than it saves.
    /// </summary>
    private bool IsFull(IConsumer<string, byte[]> consumer)
    {
        var buffered = scheduler.Buffered;
        var max = options.Value.MaxBufferedRecords;
        if (_paused)
        {
            if (buffered < Math.Max(1, max / 2))
            {
                consumer.Resume(consumer.Assignment);
                _paused = false;
                Log.Resumed(logger, buffered);
            }
            else if (_assignmentChanged)
            {
                consumer.Pause(consumer.Assignment); // Newly assigned partitions start unpaused.
            }

            _assignmentChanged = false;
            return false;
        }

        if (buffered < max)
        {
            _fullSince = null;
            return false;
        }

        _fullSince ??= time.GetTimestamp();
        if (time.GetElapsedTime(_fullSince.Value) < options.Value.PauseAfter)
        {
            return true;
        }

        consumer.Pause(consumer.Assignment);
        _paused = true;
        _assignmentChanged = false;
        _fullSince = null;
        Log.Paused(logger, buffered);
        return false;
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        Log.PartitionsAssigned(logger, string.Join(", ", partitions));
        foreach (var partition in partitions)
        {
            _partitions.GetValueOrDefault(partition)?.Cancel();
            _partitions[partition] = new PartitionTracker(partition);
        }

        _assignmentChanged = true;
    }

    private void OnRevoked(IConsumer<string, byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        Log.PartitionsRevoked(logger, string.Join(", ", partitions.Select(p => p.TopicPartition)));
        var revoked = partitions.Select(p => _partitions.GetValueOrDefault(p.TopicPartition)).OfType<PartitionTracker>().ToList();
        Drain(consumer, revoked);
        foreach (var partition in revoked)
        {
            _partitions.Remove(partition.Partition);
        }

        CommitStoredOffsets(consumer);
        ResumeLeaving(consumer, partitions);
        _assignmentChanged = true;
    }

    private void OnLost(IConsumer<string, byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        // Another member may own them already: nothing can be committed, everything is cancelled.
        Log.PartitionsLost(logger, string.Join(", ", partitions.Select(p => p.TopicPartition)));
        foreach (var partition in partitions)
        {
            if (_partitions.Remove(partition.TopicPartition, out var tracker))
            {
                tracker.Cancel();
            }
        }

        ResumeLeaving(consumer, partitions);
        _assignmentChanged = true;
    }

    /// <summary>
    /// librdkafka keeps a partition's pause across its unassignment, and resuming covers only the
    /// current assignment: a partition taken away while paused would come back, after the consumer
    /// resumed, paused for good and never be fetched again. So it is resumed on its way out; if it
    /// comes back while the consumer is still paused, <see cref="IsFull"/> pauses it again.
    /// </summary>
    private void ResumeLeaving(IConsumer<string, byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        if (!_paused || partitions.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Resume(partitions.Select(p => p.TopicPartition));
        }
        catch (KafkaException exception)
        {
            Log.ResumeFailed(logger, string.Join(", ", partitions.Select(p => p.TopicPartition)), exception.Error.Reason);
        }
    }

    /// <summary>
    /// Stops the partitions (queued records dropped, retries given up), waits up to
    /// Kafka:DrainTimeout for the handlers in progress, cancels the ones still running, and stores
    /// the offsets of what finished.
    /// </summary>
    private void Drain(IConsumer<string, byte[]> consumer, IReadOnlyList<PartitionTracker> partitions)
    {
        foreach (var partition in partitions)
        {
            partition.Stop();
        }

        var deadline = time.GetUtcNow() + options.Value.DrainTimeout;
        var waiting = partitions.Where(p => !p.Cancelled.IsCancellationRequested).ToList();
        while (waiting.Any(p => p.Outstanding > 0) && time.GetUtcNow() < deadline)
        {
            scheduler.WaitForProgress(DrainPoll);
        }

        var unfinished = waiting.Sum(p => p.Outstanding);
        if (unfinished > 0)
        {
            Log.DrainTimedOut(logger, unfinished, options.Value.DrainTimeout);
            foreach (var partition in waiting)
            {
                partition.Cancel();
            }
        }

        StoreFinished(consumer, partitions);
    }

    private void StoreFinished(IConsumer<string, byte[]> consumer, IEnumerable<PartitionTracker> partitions)
    {
        foreach (var partition in partitions)
        {
            if (partition.TakeCommittable() is not { } offset)
            {
                continue;
            }

            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(partition.Partition, offset));
            }
            catch (KafkaException exception)
            {
                // The partition was taken away (e.g. max.poll.interval.ms exceeded); its new
                // owner handles the records again.
                Log.StoreOffsetFailed(logger, offset.Value, partition.Partition.Topic, partition.Partition.Partition.Value, exception.Error.Reason);
            }
        }
    }

    // Committing on revocation saves the next owner from handling finished records again.
    private void CommitStoredOffsets(IConsumer<string, byte[]> consumer)
    {
        try
        {
            consumer.Commit();
        }
        catch (KafkaException exception) when (exception.Error.Code == ErrorCode.Local_NoOffset)
        {
            // Nothing was stored since the last commit.
        }
        catch (KafkaException exception)
        {
            Log.CommitFailed(logger, exception.Error.Reason);
        }
    }

    private void Close(IConsumer<string, byte[]> consumer)
    {
        try
        {
            consumer.Close(); // Revokes (draining is done by then), commits, leaves the group at once.
        }
        catch (KafkaException exception)
        {
            Log.CloseFailed(logger, exception.Error.Reason);
        }
        finally
        {
            consumer.Dispose();
            clients.Remove(ConsumerFactory.ClientName);
        }
    }
}
