namespace Mesh.Messaging;

/// <summary>
/// Retries of a failing handler, section <c>Kafka:HandlerRetry</c>. The partition waits while a
/// record is retried; after the last attempt the record is logged and skipped. Until records that
/// exhaust their retries go to a dead-letter topic, the default rides out a Redis or dependency
/// outage of about half a minute (0.2 + 0.4 + ... + 5 s) rather than drop the event.
/// </summary>
public sealed class HandlerRetryOptions
{
    /// <summary>Attempts in total, the first included.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Delay before the second attempt; it doubles for each further attempt.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of one delay.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The delay after the given failed attempt (1-based).</summary>
    public TimeSpan BackoffAfter(int attempt)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(InitialBackoff.Ticks * factor, MaxBackoff.Ticks));
    }
}
