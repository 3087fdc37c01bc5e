namespace Mesh.Messaging;

/// <summary>
/// Retries of a failing handler, section <c>Kafka:HandlerRetry</c>. Only the failing record's key
/// waits while it is retried. A transient failure (a dependency unreachable or timing out) is
/// retried with this backoff for as long as it lasts and never dead-letters the record; any other
/// failure except a rejection counts against <see cref="MaxAttempts"/>, after which the record
/// goes to the dead-letter topic.
/// </summary>
public sealed class HandlerRetryOptions
{
    /// <summary>
    /// Attempts that failed neither transiently nor with a rejection (a bug, say), the first
    /// included, before the record is dead-lettered; transient failures do not count. About half a
    /// minute with the default backoff (0.2 + 0.4 + ... + 5 s).
    /// </summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Delay before the second attempt; it doubles for each further attempt.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of one delay.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The share of each delay drawn at random (0 = none, 1 = anywhere between zero and the full
    /// delay), so that many keys failing on one outage do not all retry in the same instant.
    /// </summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>The delay after the given failed attempt (1-based), without jitter.</summary>
    public TimeSpan BackoffAfter(int attempt)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(InitialBackoff.Ticks * factor, MaxBackoff.Ticks));
    }

    /// <summary>
    /// The delay after the given failed attempt, shortened by up to <see cref="Jitter"/> of itself;
    /// <paramref name="sample"/> is a uniform random number in [0, 1).
    /// </summary>
    public TimeSpan BackoffAfter(int attempt, double sample)
    {
        var delay = BackoffAfter(attempt);
        return TimeSpan.FromTicks((long)(delay.Ticks * (1 - (Math.Clamp(Jitter, 0, 1) * Math.Clamp(sample, 0, 1)))));
    }
}
