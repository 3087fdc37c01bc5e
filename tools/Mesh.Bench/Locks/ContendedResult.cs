namespace Mesh.Bench.Locks;

/// <summary>
/// Grants on one contended resource, how long each grant was waited for (ms, sorted) and how many
/// grants each worker got (sorted): polling locks are not fair, and these show how unfair.
/// </summary>
public sealed record ContendedResult(Measured Grants, IReadOnlyList<double> SortedWaitsMs, IReadOnlyList<int> SortedGrantsPerWorker)
{
    public double Percentile(double p) =>
        SortedWaitsMs.Count == 0 ? double.NaN : SortedWaitsMs[(int)Math.Min(SortedWaitsMs.Count - 1, Math.Ceiling(p * SortedWaitsMs.Count) - 1)];
}
