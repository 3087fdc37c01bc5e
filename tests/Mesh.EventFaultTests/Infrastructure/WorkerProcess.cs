using System.Diagnostics;

namespace Mesh.EventFaultTests.Infrastructure;

/// <summary>
/// One consumer worker as its own OS process. <see cref="Kill"/> is SIGKILL: no shutdown hook,
/// no offset commit, no consumer close, like a crashed or OOM-killed pod.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private const int KeptLines = 400;
    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    /// <summary>The last lines the worker wrote, for failure messages.</summary>
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

    public static async Task<WorkerProcess> StartAsync(string name, IEnumerable<KeyValuePair<string, string>> settings, TimeSpan within)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(BuildOutputs.Worker)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(BuildOutputs.Worker);
        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add($"--{key}={value}");
        }

        var worker = new WorkerProcess(name, Process.Start(info) ?? throw new InvalidOperationException("the worker did not start"));
        try
        {
            await worker._started.Task.WaitAsync(within);
        }
        catch (TimeoutException)
        {
            await worker.DisposeAsync();
            throw new TimeoutException($"Worker {name} did not start within {within}. Output:\n{worker.Output}");
        }

        return worker;
    }

    public void Kill()
    {
        _process.Kill(); // SIGKILL on Unix.
        _process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith("started ", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }
        }
    }
}
