namespace Mesh.Bench.Locks;

/// <summary>Operations done in a phase and their rate.</summary>
public readonly record struct Measured(long Operations, TimeSpan Elapsed)
{
    public double PerSecond => Operations / Elapsed.TotalSeconds;
}
