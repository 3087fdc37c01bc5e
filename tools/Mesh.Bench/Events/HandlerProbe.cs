using System.Collections.Concurrent;
using System.Diagnostics;
using Mesh.Contracts.Events.V1;

namespace Mesh.Bench.Events;

/// <summary>
/// Counts handled events, notes when the <see cref="Target"/>th was handled and, for events
/// whose publish time was registered, the time from publish to handler entry.
/// </summary>
public sealed class HandlerProbe(long target)
{
    private readonly ConcurrentDictionary<string, long> _sentAt = new();
    private readonly ConcurrentQueue<double> _latenciesMs = new();
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Set by the first Sent: until then Handled looks nothing up, so a consume phase (which times
    // no event) costs the handler no more than the raw consumer's loop does.
    private volatile bool _timing;
    private long _handled;
    private long _targetAt;
    private long _firstAt;

    public long Target => target;

    public long Count => Interlocked.Read(ref _handled);

    public Task Reached => _reached.Task;

    /// <summary>The <see cref="Stopwatch"/> timestamp of the <see cref="Target"/>th handled event.</summary>
    public long TargetReachedAt => Interlocked.Read(ref _targetAt);

    /// <summary>The <see cref="Stopwatch"/> timestamp of the first handled event.</summary>
    public long FirstHandledAt => Interlocked.Read(ref _firstAt);

    public IReadOnlyCollection<double> LatenciesMs => _latenciesMs;

    public void Sent(string eventId)
    {
        _timing = true;
        _sentAt[eventId] = Stopwatch.GetTimestamp();
    }

    public void Handled(OrderPlaced @event)
    {
        var now = Stopwatch.GetTimestamp();
        if (_timing && _sentAt.TryRemove(@event.EventId, out var sentAt))
        {
            _latenciesMs.Enqueue(Stopwatch.GetElapsedTime(sentAt, now).TotalMilliseconds);
        }

        var handled = Interlocked.Increment(ref _handled);
        if (handled == 1)
        {
            Interlocked.Exchange(ref _firstAt, now);
        }

        if (handled == target)
        {
            Interlocked.Exchange(ref _targetAt, now);
            _reached.TrySetResult();
        }
    }
}
