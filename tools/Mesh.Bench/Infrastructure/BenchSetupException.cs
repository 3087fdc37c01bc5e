namespace Mesh.Bench.Infrastructure;

/// <summary>What a benchmark needs could not be set up (its Redis): the run stops with exit 1 and this message.</summary>
public sealed class BenchSetupException(string message) : Exception(message);
