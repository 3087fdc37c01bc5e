using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Google.Protobuf;
using Mesh.Contracts;
using Mesh.Contracts.Internal.V1;
using Mesh.Messaging;
using Mesh.ServiceDefaults.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Replay;

/// <summary>
/// Rebuilds a service's views (<see cref="IRebuildableView"/>) from the start of their topics into a
/// fresh key space while the live projection goes on, then switches over in one step. The
/// protocol: (1) set a marker with this rebuild's id; from then on the live projection applies
/// every event to both key spaces (idempotently in each); (2) capture the high watermarks, AFTER the
/// marker, and read every record below them into the rebuild space; (3) switch. An event below a
/// watermark is read here; one at or above it was produced after the marker existed, so the live
/// projection applies it to the rebuild space too (or, after the switch, to the rebuilt views). A
/// rebuild whose marker expired (a paused process) or was replaced is never switched to and fails
/// instead. The marker is refreshed on a timer for the whole rebuild, not per record: reading may
/// wait (a slow progress stream, a quiet log) much longer than the marker's TTL.
/// </summary>
public sealed partial class ViewRebuilder(
    IRebuildableView views, LogReader log, TimeProvider clock, IOptions<ReplayOptions> options, ILogger<ViewRebuilder> logger)
{
    private readonly Dictionary<string, Google.Protobuf.Reflection.MessageDescriptor> _events =
        views.Events.ToDictionary(e => e.FullName);

    /// <summary>The topics the views derive from.</summary>
    public IReadOnlyList<string> Topics { get; } = [.. views.Events.Select(e => EventContracts.For(e.FullName).Topic).Distinct()];

    private static readonly TimeSpan ReportEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RetryAfterLogFailure = TimeSpan.FromSeconds(5);

    public async Task RebuildAsync(bool allowTruncatedLog, Func<RebuildProgress, Task> report, CancellationToken cancellationToken)
    {
        var rebuildId = $"rb_{Guid.CreateVersion7():N}";
        var generation = await BeginAsync(rebuildId);
        using var rebuilding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var keeping = KeepMarkerAsync(rebuildId, rebuilding);
        try
        {
            await RunAsync(rebuildId, generation, allowTruncatedLog, report, rebuilding.Token);
        }
        catch (Exception exception)
        {
            await rebuilding.CancelAsync();
            var markerKept = await keeping;
            await AbortAsync(rebuildId);
            if (!markerKept && exception is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw Superseded();
            }

            if (exception is KafkaException kafka)
            {
                // The log could not be read (a watermark query or fetch timed out, brokers down):
                // transient, and nothing was switched, so the caller may simply run it again.
                LogLogUnavailable(rebuildId, kafka.Error.Code, kafka.Error.Reason);
                throw new UnavailableException("The event log cannot be read right now; nothing was switched, retry later.", RetryAfterLogFailure, kafka);
            }

            throw;
        }
        finally
        {
            await rebuilding.CancelAsync();
            await keeping;
        }
    }

    private async Task RunAsync(
        string rebuildId, long generation, bool allowTruncatedLog, Func<RebuildProgress, Task> report, CancellationToken cancellationToken)
    {
        if (views.WriterLag > TimeSpan.Zero)
        {
            await Task.Delay(views.WriterLag, clock, cancellationToken);
        }

        // After the marker (and the writers' lag): what lies beyond these ends, live writers also put into the rebuild.
        var ranges = await log.CaptureRangesAsync(Topics, cancellationToken);
        var progress = new RebuildProgress
        {
            Phase = RebuildPhase.Started,
            RebuildId = rebuildId,
            RecordsTotal = ranges.Sum(r => r.Count),
            RecordsLost = ranges.Sum(r => r.Low),
            Topics = { Topics },
            Partitions = { ranges.Select(r => $"{r.Topic}[{r.Partition}] {r.Low}..{r.High}") },
        };
        if (progress.RecordsLost > 0 && !allowTruncatedLog)
        {
            throw new RebuildRefusedException(
                "TRUNCATED_LOG", views.Name,
                $"The log no longer holds its first {progress.RecordsLost} record(s) (retention or the dev broker's window); " +
                "a rebuild would miss them. Pass allow_truncated_log to rebuild from what is left.");
        }

        LogStarted(rebuildId, progress.RecordsTotal);
        await report(progress);
        progress.Phase = RebuildPhase.Reading;
        await ReadAsync(rebuildId, generation, allowTruncatedLog, ranges, progress, report, cancellationToken);

        progress.Generation = await SwitchAsync(rebuildId);
        progress.Phase = RebuildPhase.Switched;
        LogSwitched(rebuildId, progress.RecordsRead, progress.Generation);
        await report(progress);
    }

    private async Task ReadAsync(
        string rebuildId, long generation, bool allowTruncatedLog, IReadOnlyList<PartitionRange> ranges, RebuildProgress progress,
        Func<RebuildProgress, Task> report, CancellationToken cancellationToken)
    {
        var sinceReport = Stopwatch.StartNew();
        await log.ReadAsync(ranges, async record =>
        {
            if (TryParse(record) is { } @event && !await views.ApplyAsync(rebuildId, generation, @event))
            {
                throw Superseded();
            }

            progress.RecordsRead++;
            if (sinceReport.Elapsed >= ReportEvery)
            {
                await report(progress);
                sinceReport.Restart();
            }
        }, gap =>
        {
            // The log's start moved past records not read yet: the views would miss them, exactly
            // as with a log that was already truncated when the rebuild started.
            if (!allowTruncatedLog)
            {
                throw new RebuildRefusedException(
                    "TRUNCATED_LOG", views.Name,
                    $"The log dropped {gap.Missed} record(s) of {gap.Topic} [{gap.Partition}] (offsets {gap.Expected}..{gap.Found - 1}) " +
                    "before the rebuild read them (retention or the dev broker's window); a rebuild would miss them. " +
                    "Pass allow_truncated_log to rebuild from what is left.");
            }

            LogGapSkipped(rebuildId, gap.Topic, gap.Partition, gap.Expected, gap.Missed);
            progress.RecordsLost += gap.Missed;
            return Task.CompletedTask;
        }, cancellationToken);
        await report(progress);
    }

    // A record the live consumer would skip (no or another message type, unparsable) is skipped
    // here too, so both build the same views.
    private IMessage? TryParse(ConsumeResult<string, byte[]> record)
    {
        var type = record.Message.Headers?.TryGetLastBytes(MessageHeaders.MessageType, out var bytes) == true
            ? Encoding.UTF8.GetString(bytes)
            : null;
        if (type is not null && _events.TryGetValue(type, out var descriptor) && record.Message.Value is { } value)
        {
            try
            {
                return descriptor.Parser.ParseFrom(value);
            }
            catch (InvalidProtocolBufferException)
            {
            }
        }

        LogSkipped(record.Topic, record.Partition.Value, record.Offset.Value);
        return null;
    }

    private async Task<long> BeginAsync(string rebuildId)
    {
        var started = await views.BeginAsync(rebuildId, options.Value.MarkerTtl);
        if (started.RunningId is { } running)
        {
            throw new RebuildRefusedException("REBUILD_RUNNING", views.Name, $"Rebuild {running} is still running; wait for it to finish.");
        }

        return started.Generation;
    }

    /// <summary>
    /// Extends the marker every third of its TTL until the rebuild stops, whether records arrive or
    /// not. Returns false once the marker was gone or replaced, after cancelling the rebuild: another
    /// rebuild may own the key spaces now. A refresh that fails on Redis is retried at the next tick;
    /// the TTL leaves two more, and the rebuild's own writes fail meanwhile if Redis stays down.
    /// </summary>
    private async Task<bool> KeepMarkerAsync(string rebuildId, CancellationTokenSource rebuilding)
    {
        var ttl = options.Value.MarkerTtl;
        try
        {
            while (true)
            {
                await Task.Delay(ttl / 3, clock, rebuilding.Token);
                try
                {
                    if (!await views.RefreshAsync(rebuildId, ttl))
                    {
                        LogMarkerLost(rebuildId);
                        await rebuilding.CancelAsync();
                        return false;
                    }
                }
                catch (RedisException exception)
                {
                    LogRefreshFailed(exception, rebuildId);
                }
            }
        }
        catch (OperationCanceledException) when (rebuilding.IsCancellationRequested)
        {
            return true;
        }
    }

    private RebuildRefusedException Superseded() =>
        new("REBUILD_SUPERSEDED", views.Name, "The rebuild lost its marker (expired or replaced); nothing was switched.");

    private async Task<long> SwitchAsync(string rebuildId) =>
        await views.SwitchAsync(rebuildId, clock.GetUtcNow()) ?? throw Superseded();

    private async Task AbortAsync(string rebuildId)
    {
        try
        {
            await views.AbortAsync(rebuildId);
            LogAborted(rebuildId);
        }
        catch (RedisException exception)
        {
            // The marker expires by itself; the next rebuild clears the half-built keys.
            LogAbortFailed(exception, rebuildId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuild {RebuildId} started: {RecordsTotal} record(s) to read")]
    private partial void LogStarted(string rebuildId, long recordsTotal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuild {RebuildId} switched after {RecordsRead} record(s): generation {Generation}")]
    private partial void LogSwitched(string rebuildId, long recordsRead, long generation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuild {RebuildId} lost its marker (expired or replaced); stopping")]
    private partial void LogMarkerLost(string rebuildId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuild {RebuildId} could not refresh its marker; retrying at the next tick")]
    private partial void LogRefreshFailed(Exception exception, string rebuildId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuild {RebuildId} cannot read the log: {ErrorCode} {Reason}")]
    private partial void LogLogUnavailable(string rebuildId, ErrorCode errorCode, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuild {RebuildId} aborted; the live views are unchanged")]
    private partial void LogAborted(string rebuildId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuild {RebuildId} could not clear its marker; it expires by itself")]
    private partial void LogAbortFailed(Exception exception, string rebuildId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuild {RebuildId} lost {Missed} record(s) of {Topic} [{Partition}] from @{Offset}: the log dropped them before they were read")]
    private partial void LogGapSkipped(string rebuildId, string topic, int partition, long offset, long missed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuild skips {Topic} [{Partition}] @{Offset}: no event the views are built from")]
    private partial void LogSkipped(string topic, int partition, long offset);
}
