using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Mesh.Testing;

namespace Mesh.QuotaTests.Infrastructure;

/// <summary>A built Mesh runnable (gateway, sidecar) as its own process on a free port; disposing kills it.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process, string address)
    {
        _process = process;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Address { get; }

    public GrpcChannel Channel { get; }

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    public static ServiceProcess Start(string dll, IReadOnlyDictionary<string, string> environment)
    {
        var address = $"http://127.0.0.1:{FreePort.Next()}";
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        info.Environment["Urls"] = address;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return new ServiceProcess(Process.Start(info) ?? throw new InvalidOperationException($"{dll} did not start"), address);
    }

    public static async Task<ServiceProcess> StartServingAsync(string dll, IReadOnlyDictionary<string, string> environment)
    {
        var process = Start(dll, environment);
        await process.WaitServingAsync();
        return process;
    }

    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        await _process.WaitForExitAsync().WaitAsync(within);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private async Task WaitServingAsync()
    {
        if (!await GrpcHealth.WaitServingAsync(Channel, TimeSpan.FromSeconds(60), () => _process.HasExited))
        {
            throw new InvalidOperationException($"{Address} never became SERVING.\n{Output}");
        }
    }

    private void Keep(string? line)
    {
        if (line is not null && _output.Count < 500)
        {
            _output.Enqueue(line);
        }
    }
}
