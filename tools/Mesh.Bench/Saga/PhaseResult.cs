namespace Mesh.Bench.Saga;

/// <summary>
/// One load phase: orders answered and notified, their rates, and the latency from the
/// PlaceOrder call to the order's notification on its user's stream.
/// </summary>
public sealed record PhaseResult(
    string Name,
    long Placed,
    long Notified,
    TimeSpan Duration,
    TimeSpan SettledIn,
    TimeSpan P50,
    TimeSpan P99,
    TimeSpan Max,
    TimeSpan AnswerP50,
    TimeSpan AnswerP99)
{
    public double PlacedPerSecond => Placed / Duration.TotalSeconds;

    /// <summary>Notified orders over the time from the phase's start until its last notification.</summary>
    public double SettledPerSecond => SettledIn > TimeSpan.Zero ? Notified / SettledIn.TotalSeconds : 0;

    public static PhaseResult Of(string name, IReadOnlyList<OrderTrack> orders, TimeSpan duration, long startedTicks)
    {
        var notified = orders.Where(o => o.NotifiedTicks != 0).ToList();
        var latencies = notified.Select(o => o.CallToNotification).Order().ToArray();
        var answers = orders.Select(o => o.CallToAnswer).Order().ToArray();
        var settledIn = notified.Count == 0
            ? TimeSpan.Zero
            : System.Diagnostics.Stopwatch.GetElapsedTime(startedTicks, notified.Max(o => o.NotifiedTicks));
        return new PhaseResult(name, orders.Count, notified.Count, duration, settledIn,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.LastOrDefault(),
            Percentile(answers, 0.50), Percentile(answers, 0.99));
    }

    public static TimeSpan Percentile(TimeSpan[] sorted, double p) =>
        sorted.Length == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
