using Grpc.Net.Client;
using Mesh.Identity;
using Mesh.Testing;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// The saga's services as processes that a test kills (SIGKILL) and starts again at the same
/// address, over a Redis, a broker and a mesh CA of the test's own: each service as deployed
/// (mutual TLS, its own Redis ACL user, the dev broker's Development settings) with the test's
/// settings on top. What the AppHost does not give a test: a component it may kill and bring
/// back while the rest runs on.
/// </summary>
public sealed class KillableServices(IReadOnlyDictionary<string, string> settings) : IAsyncDisposable
{
    private static readonly TimeSpan ServeTimeout = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, (string Project, string Assembly)> Runnable = new()
    {
        [Workloads.Users] = ("services/users/Mesh.Users", "Mesh.Users.dll"),
        [Workloads.Orders] = ("services/orders/Mesh.Orders", "Mesh.Orders.dll"),
        [Workloads.Notifications] = ("services/notifications/Mesh.Notifications", "Mesh.Notifications.dll"),
    };

    private readonly Dictionary<string, string> _addresses = Runnable.Keys.ToDictionary(
        workload => workload, _ => $"https://127.0.0.1:{FreePort.Next()}");

    private readonly List<ChildProcess> _processes = [];

    public RedisServerFixture Redis { get; } = RedisServerFixture.WithAccessControl();

    public KafkaBrokerFixture Kafka { get; } = new();

    public TestPki Pki { get; } = new();

    /// <summary>The test's own client of the broker, to write and read records behind the services' backs.</summary>
    public KafkaLog Log => new(Kafka.BootstrapServers);

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        await Kafka.InitializeAsync();
    }

    /// <summary>A channel to <paramref name="workload"/> as the gateway: the test speaks for users as the gateway would.</summary>
    public GrpcChannel ChannelTo(string workload) => Pki.Channel(_addresses[workload], Workloads.Gateway);

    /// <summary>Starts <paramref name="workload"/> (again) and returns once it serves; throws with every log if it never does.</summary>
    public async Task<ChildProcess> StartAsync(string workload)
    {
        var (project, assembly) = Runnable[workload];
        var environment = new Dictionary<string, string>(Pki.EnvironmentFor(workload).Concat(Redis.EnvironmentFor(workload)))
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Urls"] = _addresses[workload],
            ["Kafka__BootstrapServers"] = Kafka.BootstrapServers,
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var process = ChildProcess.StartDotnet(workload, Runnables.Of(project, assembly), environment);
        _processes.Add(process);
        using var channel = Pki.Channel(_addresses[workload], Workloads.Operator);
        if (!await GrpcHealth.WaitServingAsync(channel, ServeTimeout, () => process.HasExited))
        {
            throw new InvalidOperationException($"{workload} never became SERVING.\n{Logs()}");
        }

        return process;
    }

    /// <summary>What every process printed (the killed ones too), for the message of a failed assertion.</summary>
    public string Logs() => string.Join(
        "\n", _processes.Select(p => $"----- {p.Name}{(p.HasExited ? " (exited)" : "")}\n{p.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        await Kafka.DisposeAsync();
        await Redis.DisposeAsync();
        Pki.Dispose();
    }
}
