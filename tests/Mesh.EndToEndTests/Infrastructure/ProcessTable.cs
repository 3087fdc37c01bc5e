namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>The running processes of this machine, read from Linux's /proc.</summary>
public static class ProcessTable
{
    /// <summary>
    /// Processes whose command line, environment or working folder mentions <paramref name="text"/>
    /// (such as a mesh's state folder: its services' Redis password files, the dev broker's
    /// bootstrap file, redis-server's folder: redis-server rewrites its command line). Zombies,
    /// which no longer run, are left out.
    /// </summary>
    public static IReadOnlyList<RunningProcess> Mentioning(string text) =>
        All().Where(p => p.CommandLine.Contains(text, StringComparison.Ordinal)
                || Read($"/proc/{p.Id}/environ").Contains(text, StringComparison.Ordinal)
                || WorkingDirectory(p.Id).Contains(text, StringComparison.Ordinal))
            .ToList();

    /// <summary>Processes that <paramref name="ancestor"/> started, the ones they started, and so on.</summary>
    public static IReadOnlyList<RunningProcess> DescendantsOf(int ancestor) =>
        All().Where(p => Ancestors(p.Id).Contains(ancestor)).ToList();

    /// <summary>Whether the process runs (exists and is not a zombie).</summary>
    public static bool IsRunning(int pid) => Stat(pid) is [_, not "Z", ..];

    private static IEnumerable<RunningProcess> All()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && pid != Environment.ProcessId && IsRunning(pid))
            {
                yield return new RunningProcess(pid, Read($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim());
            }
        }
    }

    private static IEnumerable<int> Ancestors(int pid)
    {
        for (var parent = Stat(pid) is [_, _, var ppid, ..] ? int.Parse(ppid) : 0; parent > 1; parent = Stat(parent) is [_, _, var next, ..] ? int.Parse(next) : 0)
        {
            yield return parent;
        }
    }

    /// <summary>"pid (name) S ppid ..." without the name, which may hold spaces: [pid, state, ppid, ...].</summary>
    private static string[] Stat(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");
        var name = stat.LastIndexOf(')');
        return name < 0 ? [] : [stat[..stat.IndexOf(' ')], .. stat[(name + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static string WorkingDirectory(int pid)
    {
        try
        {
            return new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget ?? "";
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return ""; // Gone meanwhile, or not ours to read.
        }
    }
}
