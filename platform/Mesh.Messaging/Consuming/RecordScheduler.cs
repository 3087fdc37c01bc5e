using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Consuming;

/// <summary>
/// Runs records of one key (per partition) one after the other in offset order, and records of
/// different keys concurrently, with at most <c>Kafka:MaxConcurrency</c> handler attempts at once.
/// Each key with work has one lane: a queue drained by one task that ends when the queue is empty.
/// </summary>
internal sealed class RecordScheduler(
    RecordProcessor processor,
    IOptions<KafkaOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<RecordScheduler> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<LaneKey, Queue<TrackedRecord>> _lanes = [];
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrency);
    // Set by every record returned, reset by the poll thread when it wakes: setting it costs next
    // to nothing while nobody waits, which is almost always.
    private readonly ManualResetEventSlim _progress = new(initialState: false);
    private int _buffered;

    /// <summary>Records scheduled and not yet returned: what <c>Kafka:MaxBufferedRecords</c> bounds.</summary>
    public int Buffered => Volatile.Read(ref _buffered);

    /// <summary>Called on the poll thread in offset order; returns at once.</summary>
    public void Schedule(TrackedRecord record)
    {
        Interlocked.Increment(ref _buffered);
        var lane = new LaneKey(record.Record.Topic, record.Record.Partition.Value, record.Record.Message.Key ?? "");
        lock (_gate)
        {
            if (_lanes.TryGetValue(lane, out var queue))
            {
                queue.Enqueue(record);
                return;
            }

            _lanes[lane] = new Queue<TrackedRecord>();
        }

        _ = Task.Run(() => RunLaneAsync(lane, record));
    }

    /// <summary>Blocks the poll thread until some record was returned or the timeout passed.</summary>
    /// <remarks>
    /// Reset after waking and before the caller looks again, so a record returned after that look
    /// wakes the next wait at once and none is missed.
    /// </remarks>
    public void WaitForProgress(TimeSpan timeout)
    {
        _progress.Wait(timeout);
        _progress.Reset();
    }

    public void Dispose()
    {
        _slots.Dispose();
        _progress.Dispose();
    }

    private async Task RunLaneAsync(LaneKey lane, TrackedRecord first)
    {
        for (var record = first; ;)
        {
            await RunAsync(record);
            lock (_gate)
            {
                if (!_lanes[lane].TryDequeue(out record!))
                {
                    _lanes.Remove(lane);
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
            _progress.Set();
        }
    }

    private readonly record struct LaneKey(string Topic, int Partition, string Key);
}
