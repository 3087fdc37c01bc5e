using System.Diagnostics;

namespace Mesh.Bench.Saga;

/// <summary>
/// One order of the benchmark, from the PlaceOrder call to its notification: when each happened
/// (stopwatch ticks for latencies, wall-clock time to line up with the Kafka records' timestamps)
/// and how many notifications named it.
/// </summary>
public sealed class OrderTrack
{
    private readonly TaskCompletionSource _notified = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _notifications;

    public string? Phase { get; private set; }

    public long CalledTicks { get; private set; }

    public DateTime CalledUtc { get; private set; }

    public long AnsweredTicks { get; private set; }

    public long NotifiedTicks { get; private set; }

    public string? Kind { get; private set; }

    public int Notifications => Volatile.Read(ref _notifications);

    public bool Placed => AnsweredTicks != 0;

    public Task Notified => _notified.Task;

    public void Called(string phase, long ticks, DateTime utc) => (Phase, CalledTicks, CalledUtc) = (phase, ticks, utc);

    public void Answered() => AnsweredTicks = Stopwatch.GetTimestamp();

    /// <summary>Records a notification for this order; only the first sets the time.</summary>
    public void Notify(string kind)
    {
        var ticks = Stopwatch.GetTimestamp();
        if (Interlocked.Increment(ref _notifications) == 1)
        {
            (NotifiedTicks, Kind) = (ticks, kind);
            _notified.TrySetResult();
        }
    }

    public TimeSpan CallToAnswer => Stopwatch.GetElapsedTime(CalledTicks, AnsweredTicks);

    public TimeSpan CallToNotification => Stopwatch.GetElapsedTime(CalledTicks, NotifiedTicks);

    /// <summary>The wall-clock time the notification arrived, derived from the call's.</summary>
    public DateTime NotifiedUtc => CalledUtc + CallToNotification;
}
