using System.Diagnostics;
using System.Net.Sockets;
using Mesh.Testing;

namespace Mesh.QuotaTests.Infrastructure;

/// <summary>
/// A redis-server that a test may kill and start again on the same port, as an outage would;
/// always killed on dispose.
/// </summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private Process? _process;

    private RedisProcess(int port) => Port = port;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisProcess> StartAsync(params string[] extraArguments)
    {
        var redis = new RedisProcess(FreePort.Next());
        await redis.RestartAsync(extraArguments);
        return redis;
    }

    public async Task RestartAsync(params string[] extraArguments)
    {
        Kill();
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     "--port", $"{Port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning",
                     "--maxmemory", RedisServerFixture.MaxMemory, "--maxmemory-policy", "noeviction",
                 }.Concat(extraArguments))
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(30);
            }
        }

        throw new TimeoutException($"redis-server on {Port} did not listen within 15 s.");
    }

    public void Kill()
    {
        var process = Interlocked.Exchange(ref _process, null);
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }

        process.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }
}
