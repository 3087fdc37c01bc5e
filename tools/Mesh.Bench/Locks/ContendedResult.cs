namespace Mesh.Bench.Locks;

/// <summary>
/// Grants on one contended resource, how long each grant was waited for (ms, sorted) and how many
/// grants each worker got (sorted): the spread shows how fair the lock was.
/// </summary>
public sealed record ContendedResult(Measured Grants, IReadOnlyList<double> SortedWaitsMs, IReadOnlyList<int> SortedGrantsPerWorker)
{
    public int MinPerWorker => SortedGrantsPerWorker[0];

    public int MedianPerWorker => SortedGrantsPerWorker[SortedGrantsPerWorker.Count / 2];

    public int MaxPerWorker => SortedGrantsPerWorker[^1];

    /// <summary>The least-served worker's grants over the median worker's: 1 when all were served alike.</summary>
    public double Fairness => MedianPerWorker == 0 ? 0 : (double)MinPerWorker / MedianPerWorker;

    public double Percentile(double p) =>
        SortedWaitsMs.Count == 0 ? double.NaN : SortedWaitsMs[(int)Math.Min(SortedWaitsMs.Count - 1, Math.Ceiling(p * SortedWaitsMs.Count) - 1)];
}
