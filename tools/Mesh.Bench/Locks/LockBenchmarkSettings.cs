namespace Mesh.Bench.Locks;

public sealed record LockBenchmarkSettings(string Redis, TimeSpan Phase, int Rounds, int Workers, TimeSpan RetryInterval);
