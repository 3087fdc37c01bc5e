using System.Globalization;

namespace Mesh.Bench.Events;

/// <summary>Publish-to-handler latencies at one offered rate, sorted, and how many events arrived.</summary>
public sealed record LatencyResult(int TargetPerSecond, KafkaTuning Tuning, double OfferedPerSecond, long Published, IReadOnlyList<double> SortedMs)
{
    public long Received => SortedMs.Count;

    public double Percentile(double p) =>
        SortedMs.Count == 0 ? double.NaN : SortedMs[(int)Math.Clamp(Math.Ceiling(p * SortedMs.Count) - 1, 0, SortedMs.Count - 1)];

    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "p50 {0:F1} ms, p99 {1:F1} ms, max {2:F1} ms, {3:N0} of {4:N0} handled", Percentile(0.5), Percentile(0.99), Percentile(1), Received, Published);
}
