using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// One component of the mesh as its own OS process. Its output is kept so that a failing test can
/// show what the component said; disposing kills it with its children.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _watched = new();
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

    public bool HasExited => _disposed || _process.HasExited;

    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Completes once the process prints a line containing <paramref name="text"/> from now on,
    /// however much it prints after it (<see cref="Output"/> keeps only the last lines).
    /// </summary>
    public Task PrintedAsync(string text) =>
        _watched.GetOrAdd(text, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Starts a built .NET program (<c>dotnet x.dll</c>) with its folder as content root.</summary>
    public static ChildProcess StartDotnet(string name, string dllPath, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Start(name, "dotnet", [dllPath, .. arguments], Path.GetDirectoryName(dllPath)!, environment);

    public static ChildProcess Start(
        string name, string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
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
    /// Waits for a program that ends by itself (a CLI command) and returns its exit code, with all
    /// of its output read; kills it and throws when it runs longer than <paramref name="within"/>.
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
            await KillAsync();
            throw new TimeoutException($"{Name} did not finish within {within}.\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL with its children, as a crash would: no shutdown, no flush, no offset commit.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await KillAsync();
        _disposed = true;
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        foreach (var (text, printed) in _watched)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                printed.TrySetResult();
            }
        }

        while (_output.Count > 400)
        {
            _output.TryDequeue(out _);
        }
    }
}
