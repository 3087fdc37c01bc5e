using System.CommandLine;

namespace Mesh.Bench.Infrastructure;

/// <summary>The options the benchmarks share: their Redis and the built components they start.</summary>
public static class BenchOptions
{
    /// <summary>The throw-away Redis's maxmemory, as <c>./mesh.sh up</c> gives its own.</summary>
    public const string DefaultMaxMemory = "256mb";

    public static Option<string?> Redis(string description, string maxMemory = DefaultMaxMemory) => new("--redis")
    {
        Description = $"{description} Default: Redis__Configuration, else a throw-away redis-server on 127.0.0.1:MESH_BENCH_REDIS_PORT (6390), " +
            $"maxmemory MESH_REDIS_MAXMEMORY ({maxMemory}) noeviction, no persistence, stopped at the end.",
    };

    /// <summary>A built component's DLL, by default the build next to the bench's own (same configuration).</summary>
    public static Option<string> Dll(string name, string projectFolder) => new(name)
    {
        Description = $"Path of the built {Path.GetFileName(projectFolder)}.dll; default: {Path.GetRelativePath(RepositoryBuilds.Root, RepositoryBuilds.Dll(projectFolder))}.",
        DefaultValueFactory = _ => RepositoryBuilds.Dll(projectFolder),
    };

    /// <summary>Runs a benchmark against its Redis (see <see cref="BenchRedis"/>), which it stops afterwards.</summary>
    public static async Task<int> WithRedisAsync(string? given, Func<string, Task<int>> benchmark, CancellationToken cancellationToken,
        string maxMemory = DefaultMaxMemory)
    {
        BenchRedis redis;
        try
        {
            redis = await BenchRedis.ResolveAsync(given, maxMemory, cancellationToken);
        }
        catch (BenchSetupException exception)
        {
            BenchConsole.Warn(exception.Message);
            return 1;
        }

        await using (redis)
        {
            BenchConsole.Log($"benchmarking against the Redis at {BenchRedis.Redact(redis.Configuration)}");
            return await benchmark(redis.Configuration);
        }
    }
}
