namespace Mesh.Bench.Infrastructure;

/// <summary>
/// The CPU time this process's threads have run, summed by what the threads are (from their names
/// in /proc/self/task, as the runtime and librdkafka set them): it says which part of a process
/// spends the CPU, which the process total cannot. Linux only; elsewhere a snapshot is empty.
/// </summary>
public sealed class ThreadCpu
{
    /// <summary>Groups in the order they are printed.</summary>
    public static readonly IReadOnlyList<string> Groups = ["poll thread", "thread pool", "librdkafka", "GC", "JIT", "other"];

    private readonly Dictionary<int, (string Group, long Nanoseconds)> _threads;

    private ThreadCpu(Dictionary<int, (string, long)> threads) => _threads = threads;

    public static ThreadCpu Now()
    {
        var threads = new Dictionary<int, (string, long)>();
        if (!Directory.Exists("/proc/self/task"))
        {
            return new ThreadCpu(threads);
        }

        foreach (var directory in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(directory, "comm")).Trim();
                // The first field of schedstat: nanoseconds on a CPU.
                var ran = long.Parse(File.ReadAllText(Path.Combine(directory, "schedstat")).Split(' ')[0]);
                threads[int.Parse(Path.GetFileName(directory))] = (GroupOf(name), ran);
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return new ThreadCpu(threads);
    }

    /// <summary>CPU time per group since <paramref name="earlier"/> (threads started since count whole).</summary>
    public IReadOnlyDictionary<string, TimeSpan> Since(ThreadCpu earlier)
    {
        var groups = Groups.ToDictionary(g => g, _ => TimeSpan.Zero);
        foreach (var (thread, (group, ran)) in _threads)
        {
            var before = earlier._threads.TryGetValue(thread, out var then) ? then.Nanoseconds : 0;
            groups[group] += TimeSpan.FromMicroseconds((ran - before) / 1000.0);
        }

        return groups;
    }

    // The kernel keeps 15 bytes of a name (".NET Long Runni"). The consume loops run on a
    // long-running task's thread, raw and library alike.
    private static string GroupOf(string name) => name switch
    {
        _ when name.StartsWith(".NET Long Run", StringComparison.Ordinal) => "poll thread",
        _ when name.StartsWith(".NET TP Worker", StringComparison.Ordinal) => "thread pool",
        _ when name.StartsWith("rdk:", StringComparison.Ordinal) => "librdkafka",
        _ when name.StartsWith(".NET Server GC", StringComparison.Ordinal) || name.StartsWith(".NET BGC", StringComparison.Ordinal) => "GC",
        _ when name.StartsWith(".NET Tiered", StringComparison.Ordinal) => "JIT",
        _ => "other",
    };
}
