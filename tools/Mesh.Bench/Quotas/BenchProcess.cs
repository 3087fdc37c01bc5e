using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Mesh.Bench.Quotas;

/// <summary>A Mesh process run from its build output on a free loopback port; disposing kills it.</summary>
public sealed class BenchProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    private readonly Process _process;

    private BenchProcess(Process process, string address, GrpcChannel channel)
    {
        _process = process;
        Address = address;
        Channel = channel;
    }

    public GrpcChannel Channel { get; }

    public string Address { get; }

    /// <summary>
    /// Starts <paramref name="dll"/> on a free port: plain h2c, or HTTPS when <paramref name="tlsChannel"/>
    /// says how to reach it (and its health check).
    /// </summary>
    public static async Task<BenchProcess> StartAsync(
        string dll, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, Func<string, GrpcChannel>? tlsChannel = null)
    {
        var address = $"{(tlsChannel is null ? "http" : "https")}://127.0.0.1:{FreePort()}";
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        info.Environment["Urls"] = address;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{dll} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var channel = tlsChannel?.Invoke(address)
            ?? GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
        var started = new BenchProcess(process, address, channel);
        await started.WaitServingAsync(dll, cancellationToken);
        return started;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitServingAsync(string dll, CancellationToken cancellationToken)
    {
        var health = new Health.HealthClient(Channel);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !_process.HasExited)
        {
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (RpcException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new InvalidOperationException($"{dll} never became SERVING.");
    }

    /// <summary>A free loopback port not handed out before in this run: the OS may hand the same free port out again.</summary>
    private static int FreePort()
    {
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (HandedOut.TryAdd(port, true))
            {
                return port;
            }
        }
    }
}
