using Mesh.Identity;
using Xunit;

namespace Mesh.Testing;

/// <summary>
/// A real, throw-away <c>redis-server</c> (Debian's, from PATH) on a free loopback port, with
/// persistence off. Always killed on dispose, and on process exit should a test host skip that.
/// With access control it runs as <c>./mesh.sh up</c> runs it: an ACL user per service
/// (<see cref="RedisAccess"/>), the default user off. A test may kill it and start it again on
/// the same port, as an outage would, or freeze it.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>
    /// The memory limit, under the policy the mesh runs with everywhere (noeviction: a full Redis
    /// refuses writes instead of dropping keys), far above what any test stores.
    /// </summary>
    public const string MaxMemory = "1gb";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly string? _secrets;
    private readonly string[] _extraArguments;
    private ChildProcess? _process;

    public RedisServerFixture()
        : this(null, [])
    {
    }

    private RedisServerFixture(string? secrets, string[] extraArguments)
    {
        _secrets = secrets;
        _extraArguments = extraArguments;
    }

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
        return new RedisServerFixture(secrets, []);
    }

    /// <summary>A started redis-server with more command-line settings (cluster mode, say), for a test to dispose.</summary>
    public static async Task<RedisServerFixture> StartAsync(params string[] extraArguments)
    {
        var redis = new RedisServerFixture(null, extraArguments);
        await redis.InitializeAsync();
        return redis;
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

    private ChildProcess RunningProcess => _process ?? throw new InvalidOperationException("redis-server is not running.");

    private (string User, string Password)? Admin => _secrets is null
        ? null
        : (RedisAccess.Admin, File.ReadAllText(Path.Combine(_secrets, $"{RedisAccess.Admin}.password")).Trim());

    public async Task InitializeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Next();
            try
            {
                await StartAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && _process?.HasExited == true)
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
    public void Freeze() => RunningProcess.Pause();

    /// <summary>Resumes a redis-server frozen by <see cref="Freeze"/> (SIGCONT).</summary>
    public void Thaw() => RunningProcess.Resume();

    /// <summary>SIGKILL, as a crash: connections are refused until <see cref="RestartAsync"/>.</summary>
    public void Kill() => Interlocked.Exchange(ref _process, null)?.Dispose();

    /// <summary>Starts redis-server again on the same port (empty: persistence is off).</summary>
    public async Task RestartAsync()
    {
        Kill();
        await StartAsync();
    }

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
        if (_secrets is not null && Directory.Exists(_secrets))
        {
            Directory.Delete(_secrets, recursive: true);
        }

        return Task.CompletedTask;
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    /// <summary>Starts redis-server on <see cref="Port"/> and waits until it answers PING.</summary>
    private async Task StartAsync()
    {
        string[] arguments =
        [
            "--port", $"{Port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--loglevel", "warning",
            "--maxmemory", MaxMemory, "--maxmemory-policy", "noeviction",
            .. _secrets is null ? [] : new[] { "--aclfile", Path.Combine(_secrets, "users.acl") },
            .. _extraArguments,
        ];
        var process = ChildProcess.Start("redis-server", "redis-server", arguments, Path.GetTempPath(), new Dictionary<string, string>());
        _process = process;
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await Poll.UntilAsync(
                async () => process.HasExited
                    ? throw new InvalidOperationException($"redis-server on port {Port} exited: {process.Output}")
                    : await AnswersPingAsync(timeout.Token),
                StartTimeout,
                $"redis-server on port {Port} did not answer PING",
                TimeSpan.FromMilliseconds(50));
        }
        catch (Xunit.Sdk.XunitException)
        {
            Kill();
            throw;
        }
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RespClient.SendAsync(Port, Admin, cancellationToken, "PING") == "+PONG";
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return false; // Not listening yet.
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Kill();
}
