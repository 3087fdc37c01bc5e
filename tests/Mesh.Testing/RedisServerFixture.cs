using System.Collections.Concurrent;
using System.Diagnostics;
using Mesh.Identity;
using Xunit;

namespace Mesh.Testing;

/// <summary>
/// A real, throw-away <c>redis-server</c> (Debian's, from PATH) on a free loopback port, with
/// persistence off. Always killed on dispose, and on process exit should a test host skip that.
/// With access control it runs as <c>./mesh.sh up</c> runs it: an ACL user per service
/// (<see cref="RedisAccess"/>), the default user off.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    /// <summary>
    /// The memory limit, under the policy the mesh runs with everywhere (noeviction: a full Redis
    /// refuses writes instead of dropping keys), far above what any test stores.
    /// </summary>
    public const string MaxMemory = "1gb";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string? _secrets;
    private Process? _process;

    public RedisServerFixture()
    {
    }

    private RedisServerFixture(string secrets) => _secrets = secrets;

    /// <summary>A redis-server with the mesh's ACL users, their passwords in files of a temporary folder.</summary>
    public static RedisServerFixture WithAccessControl()
    {
        var secrets = Directory.CreateTempSubdirectory("mesh-redis-acl-").FullName;
        var passwords = RedisAccess.Users.ToDictionary(u => u.Name, _ => Guid.NewGuid().ToString("N"));
        foreach (var (user, password) in passwords)
        {
            Pem.Write(Path.Combine(secrets, $"{user}.password"), password, secret: true);
        }

        Pem.Write(Path.Combine(secrets, "users.acl"), RedisAccess.AclFile(passwords).TrimEnd(), secret: true);
        return new RedisServerFixture(secrets);
    }

    public int Port { get; private set; }

    /// <summary>StackExchange.Redis configuration string: <c>127.0.0.1:port</c>, as the admin user with access control.</summary>
    public string ConnectionString => Admin is { } admin ? $"127.0.0.1:{Port},user={admin.User},password={admin.Password}" : $"127.0.0.1:{Port}";

    /// <summary>The settings that make a process connect as <paramref name="user"/> (its password in a file, as in production).</summary>
    public IReadOnlyDictionary<string, string> EnvironmentFor(string user) => _secrets is null
        ? new Dictionary<string, string> { ["Redis__Configuration"] = ConnectionString }
        : new Dictionary<string, string>
        {
            ["Redis__Configuration"] = $"127.0.0.1:{Port}",
            ["Redis__User"] = user,
            ["Redis__PasswordFile"] = Path.Combine(_secrets, $"{user}.password"),
        };

    /// <summary>A configuration string for <paramref name="user"/>, for tests that connect as a service would.</summary>
    public string ConnectionStringFor(string user) => _secrets is null
        ? ConnectionString
        : $"127.0.0.1:{Port},user={user},password={File.ReadAllText(Path.Combine(_secrets, $"{user}.password")).Trim()}";

    private Process RunningProcess => _process ?? throw new InvalidOperationException("redis-server is not running.");

    private (string User, string Password)? Admin => _secrets is null
        ? null
        : (RedisAccess.Admin, File.ReadAllText(Path.Combine(_secrets, $"{RedisAccess.Admin}.password")).Trim());

    public async Task InitializeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Next();
            var process = Start(Port);
            _process = process;
            try
            {
                await WaitUntilReadyAsync(process);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && process.HasExited)
            {
                Kill(); // Most likely the port was taken between FreePort.Next and the bind.
            }
        }
    }

    /// <summary>
    /// Freezes redis-server with SIGSTOP: its connections stay open and nothing is answered, as
    /// with a hung host, so clients time out instead of failing fast. <see cref="Thaw"/> resumes
    /// it; disposing kills it frozen or not.
    /// </summary>
    public void Freeze() => ProcessSignals.Stop(RunningProcess.Id);

    /// <summary>Resumes a redis-server frozen by <see cref="Freeze"/> (SIGCONT).</summary>
    public void Thaw() => ProcessSignals.Continue(RunningProcess.Id);

    /// <summary>Deletes every key, so each test starts from an empty Redis.</summary>
    public async Task FlushAllAsync(CancellationToken cancellationToken = default)
    {
        var reply = await RespClient.SendAsync(Port, Admin, cancellationToken, "FLUSHALL");
        if (reply != "+OK")
        {
            throw new InvalidOperationException($"FLUSHALL answered '{reply}'.");
        }
    }

    public Task DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Kill();
        if (_secrets is not null)
        {
            Directory.Delete(_secrets, recursive: true);
        }

        return Task.CompletedTask;
    }

    private Process Start(int port)
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                     "--daemonize", "no", "--loglevel", "warning",
                     "--maxmemory", MaxMemory, "--maxmemory-policy", "noeviction",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        if (_secrets is not null)
        {
            start.ArgumentList.Add("--aclfile");
            start.ArgumentList.Add(Path.Combine(_secrets, "users.acl"));
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilReadyAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        while (!timeout.IsCancellationRequested)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {process.ExitCode}: {string.Join(" | ", _output)}");
            }

            try
            {
                if (await RespClient.SendAsync(Port, Admin, timeout.Token, "PING") == "+PONG")
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        }

        Kill();
        throw new TimeoutException($"redis-server on port {Port} did not answer PING within {StartTimeout}.");
    }

    private void Keep(string? line)
    {
        if (line is not null && _output.Count < 200)
        {
            _output.Enqueue(line);
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        var process = Interlocked.Exchange(ref _process, null);
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile.
        }
        finally
        {
            process.Dispose();
        }
    }
}
