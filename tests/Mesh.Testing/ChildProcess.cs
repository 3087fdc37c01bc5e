using System.Diagnostics;
using Grpc.Net.Client;

namespace Mesh.Testing;

/// <summary>
/// A program under test as its own OS process, for tests that crash it (SIGKILL), pause it
/// (SIGSTOP/SIGCONT, like a long GC pause or a hung host) or run more instances of it. Its last
/// lines of output are kept for failure messages; disposing kills it with its children.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable, IDisposable
{
    // Enough for a whole test's output (assertions look for lines logged early, e.g. a breaker
    // opening before a storm of warnings), bounded so that a chatty process cannot exhaust memory.
    private const int KeptLines = 20_000;
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(10);
    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly List<(Func<string, bool> Matches, TaskCompletionSource<string> Printed)> _watches = [];
    private bool _disposed;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _disposed || _process.HasExited;

    /// <summary>The last lines it wrote to stdout and stderr, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>Starts a built .NET program (<c>dotnet x.dll</c>) with its folder as content root.</summary>
    public static ChildProcess StartDotnet(string name, string dllPath, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Start(name, "dotnet", [dllPath, .. arguments], Path.GetDirectoryName(dllPath)!, environment);

    public static ChildProcess Start(
        string name, string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return new ChildProcess(name, Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start"));
    }

    /// <summary>
    /// Completes once the process prints a line containing <paramref name="text"/> from now on,
    /// however much it prints after it.
    /// </summary>
    public Task PrintedAsync(string text) => Watch(line => line.Contains(text, StringComparison.Ordinal), searchKept: false);

    /// <summary>
    /// The first line starting with <paramref name="prefix"/>, among the kept lines and those to
    /// come; a <see cref="TimeoutException"/> with the output after <paramref name="within"/>.
    /// </summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan within)
    {
        try
        {
            return await Watch(line => line.StartsWith(prefix, StringComparison.Ordinal), searchKept: true).WaitAsync(within);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} printed no line starting with '{prefix}' within {within}. Output:\n{Output}");
        }
    }

    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Ends its standard input, so that a tool reading it to the end (kcat -P) goes on.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits until the process answers grpc.health.v1 SERVING on <paramref name="channel"/>; throws with its output otherwise.</summary>
    public async Task WaitServingAsync(GrpcChannel channel, TimeSpan within)
    {
        if (!await GrpcHealth.WaitServingAsync(channel, within, () => HasExited))
        {
            throw new InvalidOperationException($"{Name} never became SERVING{(HasExited ? " (exited)" : "")}.\n{Output}");
        }
    }

    /// <summary>
    /// Waits for a program that ends by itself and returns its exit code, with all of its output
    /// read; kills it and throws when it runs longer than <paramref name="within"/>.
    /// </summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        try
        {
            // Also waits until the redirected output reached its end, so Output is complete.
            await _process.WaitForExitAsync().WaitAsync(within);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"{Name} did not finish within {within}.\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL with its children, as a crash would: no shutdown, no flush, no offset commit.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(ExitWait);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile.
        }
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod, then SIGKILL if it has not exited within <paramref name="within"/>.</summary>
    public async Task<int> StopAsync(TimeSpan within)
    {
        if (!_process.HasExited)
        {
            ProcessSignals.Terminate(_process.Id);
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(within);
        }
        catch (TimeoutException)
        {
            Kill();
        }

        return _process.ExitCode;
    }

    /// <summary>SIGSTOP: its connections stay open and it answers nothing until <see cref="Resume"/>.</summary>
    public void Pause() => ProcessSignals.Stop(_process.Id);

    /// <summary>SIGCONT for a process stopped by <see cref="Pause"/>.</summary>
    public void Resume() => ProcessSignals.Continue(_process.Id);

    public void Dispose()
    {
        if (!_disposed)
        {
            Kill(); // SIGKILL ends a paused process too.
            _disposed = true;
            _process.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private Task<string> Watch(Func<string, bool> matches, bool searchKept)
    {
        lock (_lines)
        {
            if (searchKept && _lines.FirstOrDefault(matches) is { } kept)
            {
                return Task.FromResult(kept);
            }

            var printed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _watches.Add((matches, printed));
            return printed.Task;
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }

            foreach (var watch in _watches.Where(w => w.Matches(line)).ToList())
            {
                watch.Printed.TrySetResult(line);
                _watches.Remove(watch);
            }
        }
    }
}
