namespace Mesh.Messaging;

/// <summary>
/// Retries of a failing handler, section <c>Kafka:HandlerRetry</c>. The partition waits while a
/// record is retried, so keep the total short; after the last attempt the record is logged and
/// skipped.
/// </summary>
public sealed class HandlerRetryOptions
{
    /// <summary>Attempts in total, the first included.</summary>
    public int MaxAttempts { get; set; } = 3;

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
