using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Mesh.Bench.Infrastructure;

/// <summary>
/// The Redis a benchmark runs against: the one given, else <c>Redis__Configuration</c> (with a
/// warning: other traffic on it skews the numbers), else a throw-away redis-server on loopback
/// that is stopped when this is disposed, or when the process exits however it does.
/// </summary>
public sealed partial class BenchRedis : IAsyncDisposable
{
    private const string Host = "127.0.0.1";
    private readonly Process? _server;

    private BenchRedis(string configuration, Process? server)
    {
        Configuration = configuration;
        _server = server;
        if (server is not null)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
        }
    }

    /// <summary>The StackExchange.Redis configuration string to use.</summary>
    public string Configuration { get; }

    /// <param name="maxMemory">The throw-away server's maxmemory unless MESH_REDIS_MAXMEMORY says otherwise.</param>
    public static async Task<BenchRedis> ResolveAsync(string? given, string maxMemory, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(given))
        {
            return new BenchRedis(given, null);
        }

        if (Environment.GetEnvironmentVariable("Redis__Configuration") is { Length: > 0 } configured)
        {
            BenchConsole.Warn($"benchmarking against Redis__Configuration ({Redact(configured)}): other traffic on it skews the numbers");
            return new BenchRedis(configured, null);
        }

        return await StartAsync(maxMemory, cancellationToken);
    }

    /// <summary>Redis connection strings may hold a password: never print it.</summary>
    public static string Redact(string configuration) => Password().Replace(configuration, "${key}***");

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private static async Task<BenchRedis> StartAsync(string defaultMaxMemory, CancellationToken cancellationToken)
    {
        var port = Setting("MESH_BENCH_REDIS_PORT", "6390");
        // Refuses writes when full instead of evicting, as the mesh's own Redis (docs/operations.md).
        var maxMemory = Setting("MESH_REDIS_MAXMEMORY", defaultMaxMemory);
        var timeout = TimeSpan.FromSeconds(int.Parse(Setting("MESH_START_TIMEOUT", "90"), CultureInfo.InvariantCulture));
        if (await PingAsync(port, cancellationToken) is not null)
        {
            throw new BenchSetupException($"port {port} (bench redis) is in use: stop that process or set MESH_BENCH_REDIS_PORT");
        }

        BenchConsole.Log($"starting a throw-away redis-server on {Host}:{port} (maxmemory {maxMemory} noeviction)");
        var log = Path.Combine(RepositoryBuilds.Root, ".mesh", "logs", "bench-redis.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        var server = Process.Start(new ProcessStartInfo("redis-server",
            ["--bind", Host, "--port", port, "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
             "--maxmemory", maxMemory, "--maxmemory-policy", "noeviction", "--logfile", log])
        {
            UseShellExecute = false,
        }) ?? throw new BenchSetupException("redis-server did not start");
        var redis = new BenchRedis($"{Host}:{port}", server);
        var deadline = DateTime.UtcNow + timeout;
        while (await PingAsync(port, cancellationToken) != "+PONG")
        {
            if (server.HasExited || DateTime.UtcNow > deadline)
            {
                await redis.DisposeAsync();
                var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : "";
                throw new BenchSetupException(server.HasExited
                    ? $"redis-server exited (exit {server.ExitCode}); the end of {log}:\n{tail}"
                    : $"timed out after {timeout.TotalSeconds:0}s waiting for redis-server");
            }

            await Task.Delay(200, cancellationToken);
        }

        return redis;
    }

    /// <summary>What the port answers PING with ("+PONG" from a Redis); null when nothing listens there.</summary>
    private static async Task<string?> PingAsync(string port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(Host, int.Parse(port, CultureInfo.InvariantCulture), cancellationToken);
        }
        catch (SocketException)
        {
            return null;
        }

        // Something listens: a Redis answers at once, anything else gets a second.
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), patience.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, patience.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).TrimEnd();
        }
        catch (Exception exception) when (exception is IOException or SocketException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return "";
        }
    }

    private static string Setting(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

    private void Stop()
    {
        try
        {
            if (_server is { HasExited: false })
            {
                _server.Kill();
                _server.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Exited in the meantime.
        }
    }

    [GeneratedRegex("(?<key>password=)[^,]*", RegexOptions.IgnoreCase)]
    private static partial Regex Password();
}
