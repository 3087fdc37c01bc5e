using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Consuming;

/// <summary>
/// Runs records of one key (per partition) one after the other in offset order, and records of
/// different keys concurrently, with at most <c>Kafka:MaxConcurrency</c> handler attempts at once.
/// Each key with work has one lane: a thread-pool work item that runs the lane's records until none
/// is left. Most keys have one record in flight, so a lane is one allocation, and its queue is made
/// only when a second record of the key arrives while the first runs.
/// </summary>
internal sealed class RecordScheduler(
    RecordProcessor processor,
    IOptions<KafkaOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<RecordScheduler> logger) : IDisposable
{
    private readonly Lock _gate = new();
    // Guards _lanes and every lane's queue.
    private readonly Dictionary<LaneKey, Lane> _lanes = [];
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrency);
    // Set by a record returned while it is not set already, reset by the poll thread when it wakes.
    // While the poll thread is busy the event stays set, so a returned record only reads it.
    private readonly ManualResetEventSlim _progress = new(initialState: false);
    private int _buffered;
    // Touched only on the poll thread.
    private readonly List<Lane> _ready = [];

    /// <summary>Records scheduled and not yet returned: what <c>Kafka:MaxBufferedRecords</c> bounds.</summary>
    public int Buffered => Volatile.Read(ref _buffered);

    /// <summary>Called on the poll thread in offset order; returns at once.</summary>
    public void Schedule(TrackedRecord record)
    {
        Interlocked.Increment(ref _buffered);
        var key = new LaneKey(record.Record.Topic, record.Record.Partition.Value, record.Record.Message.Key ?? "");
        Lane lane;
        lock (_gate)
        {
            if (_lanes.TryGetValue(key, out var running))
            {
                (running.Waiting ??= new Queue<TrackedRecord>()).Enqueue(record);
                return;
            }

            _lanes[key] = lane = new Lane(this, key, record);
        }

        _ready.Add(lane);
    }

    /// <summary>Lanes made by <see cref="Schedule"/> and not yet handed to the thread pool.</summary>
    public int Ready => _ready.Count;

    /// <summary>
    /// Hands the lanes made since the last call to the thread pool. The poll thread calls it once
    /// the records already fetched are scheduled (or a batch is full), not per record: a worker
    /// woken for the first lane finds the rest queued, instead of one wake-up per record.
    /// </summary>
    public void Dispatch()
    {
        foreach (var lane in _ready)
        {
            // The poll thread carries no ambient context worth flowing (KafkaConsumerService suppresses it).
            ThreadPool.UnsafeQueueUserWorkItem(lane, preferLocal: false);
        }

        _ready.Clear();
    }

    /// <summary>Blocks the poll thread until some record was returned or the timeout passed.</summary>
    /// <remarks>
    /// Reset after waking and before the caller looks again, so a record returned after that look
    /// wakes the next wait at once and none is missed.
    /// </remarks>
    public void WaitForProgress(TimeSpan timeout)
    {
        Dispatch();
        _progress.Wait(timeout);
        _progress.Reset();
    }

    public void Dispose()
    {
        _slots.Dispose();
        _progress.Dispose();
    }

    private async Task RunLaneAsync(Lane lane)
    {
        for (var record = lane.First; ;)
        {
            await RunAsync(record);
            lock (_gate)
            {
                if (lane.Waiting is not { } waiting || !waiting.TryDequeue(out record!))
                {
                    _lanes.Remove(lane.Key);
                    return;
                }
            }
        }
    }

    private async Task RunAsync(TrackedRecord record)
    {
        try
        {
            // A record of a revoked or stopping partition is dropped unstarted; its next owner gets it.
            if (!record.Partition.Stopping.IsCancellationRequested
                && await processor.ProcessAsync(record.Record, record.Partition, _slots))
            {
                record.MarkFinished();
            }
        }
        catch (Exception exception)
        {
            // A bug, not a handler failure (those are caught inside). The record stays unfinished,
            // so its partition's committed offset can never pass it again: left alone, the key's
            // later records would run ahead of it and the partition's tracking grow until restart.
            // So the partition stops as if revoked (queued records dropped, nothing past the record
            // stored) and the application stops like on a fatal client error: the shutdown commits
            // what finished elsewhere and the restarted service gets the record again.
            Log.RecordCrashed(logger, record.Record.Topic, record.Record.Partition.Value, record.Record.Offset.Value, exception);
            record.Partition.Stop();
            lifetime.StopApplication();
        }
        finally
        {
            record.Partition.Release();
            Interlocked.Decrement(ref _buffered);
            // Both decrements are full fences: if the event reads as set, the poll thread resets it
            // after this, and the look it takes next (after its reset) sees them.
            if (!_progress.IsSet)
            {
                _progress.Set();
            }
        }
    }

    private readonly record struct LaneKey(string Topic, int Partition, string Key);

    /// <summary>The records of one key in flight: the one running first, the rest queued behind it.</summary>
    private sealed class Lane(RecordScheduler scheduler, LaneKey key, TrackedRecord first) : IThreadPoolWorkItem
    {
        public LaneKey Key => key;

        public TrackedRecord First => first;

        /// <summary>Made when a second record of the key arrives while the first runs; guarded by the scheduler's gate.</summary>
        public Queue<TrackedRecord>? Waiting { get; set; }

        // RunAsync catches every exception, so the lane's task never faults.
        public void Execute() => _ = scheduler.RunLaneAsync(this);
    }
}
