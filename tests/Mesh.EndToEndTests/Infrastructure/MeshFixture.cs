using Grpc.Health.V1;
using Grpc.Net.Client;
using Mesh.Identity;
using Mesh.Testing;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// The whole mesh as separate processes on free loopback ports, secured as deployed: Redis with
/// an ACL user per service, the dev broker, the dashboard (OTLP receiver), users, orders and
/// notifications behind mutual TLS with certificates of a throw-away mesh CA, and two gateways.
/// Shared by every test of the collection; tests isolate themselves by registering their own users.
/// </summary>
public sealed class MeshFixture : IAsyncLifetime
{
    /// <summary>Small enough that a test can run a bucket dry, large enough for the other tests.</summary>
    public const int QuotaCapacity = 30;

    /// <summary>
    /// Every new user's credit limit: exactly three orders of a third of it fit (the saga test),
    /// while the other tests' small orders never run out of credit.
    /// </summary>
    public const long CreditLimitCents = 900_000;

    /// <summary>
    /// The second gateway believes <c>X-Forwarded-For</c> from loopback, as a gateway behind a load
    /// balancer would from the balancer: tests speak from many client addresses through it.
    /// </summary>
    public const string TrustedProxy = "127.0.0.1";

    private readonly RedisServerFixture _redis = RedisServerFixture.WithAccessControl();
    private readonly List<ChildProcess> _processes = [];
    private readonly string _bootstrapFile = Path.Combine(Path.GetTempPath(), $"mesh-e2e-{Guid.NewGuid():N}.bootstrap");
    private Dictionary<string, string> _common = [];
    private Dictionary<string, string> _gateway = [];

    public string GatewayAddress { get; private set; } = "";

    public string DashboardAddress { get; private set; } = "";

    /// <summary>The user service itself, for its internal APIs (Replay), which the gateway never forwards.</summary>
    public string UsersAddress { get; private set; } = "";

    public string KafkaBootstrap { get; private set; } = "";

    /// <summary>Redis as its admin user, for tests that look at what is stored.</summary>
    public string RedisConnection => _redis.ConnectionString;

    public RedisServerFixture Redis => _redis;

    /// <summary>The mesh CA and every workload's certificate, for tests that call services directly.</summary>
    public TestPki Pki { get; } = new();

    public string OrdersAddress { get; private set; } = "";

    public string NotificationsAddress { get; private set; } = "";

    public GrpcChannel Gateway { get; private set; } = null!;

    /// <summary>The order service's plaintext health-only port (<c>Health:Port</c>), as probes reach it.</summary>
    public string OrdersHealthAddress { get; private set; } = null!;

    /// <summary>A second gateway instance over the same Redis, as a replica set would have.</summary>
    public GrpcChannel SecondGateway { get; private set; } = null!;

    /// <summary>Login and Register attempts one email gets before RESOURCE_EXHAUSTED.</summary>
    public const int PerEmailCapacity = 5;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        KafkaBootstrap = await StartDevBrokerAsync();
        var otlp = StartDashboard();

        var users = UsersAddress = Address("https");
        var orders = OrdersAddress = Address("https");
        var ordersHealth = OrdersHealthAddress = Address();
        var notifications = NotificationsAddress = Address("https");
        GatewayAddress = Address();
        var secondGateway = Address();
        _common = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Kafka__BootstrapServers"] = KafkaBootstrap,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp,
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        };

        Start("users", "services/users/Mesh.Users", "Mesh.Users.dll", new Dictionary<string, string>(EnvironmentOf(Workloads.Users))
        {
            ["Users__DefaultCreditLimitCents"] = CreditLimitCents.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, users);
        // As in Kubernetes: a plaintext port for the kubelet's probes beside the mutual-TLS one.
        Start("orders", "services/orders/Mesh.Orders", "Mesh.Orders.dll", new Dictionary<string, string>(EnvironmentOf(Workloads.Orders).Concat(TestCatalog.Environment))
        {
            ["Health__Port"] = new Uri(ordersHealth).Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, $"{orders};{ordersHealth}");
        Start("notifications", "services/notifications/Mesh.Notifications", "Mesh.Notifications.dll", EnvironmentOf(Workloads.Notifications), notifications);
        var gateway = _gateway = new Dictionary<string, string>(EnvironmentOf(Workloads.Gateway))
        {
            ["Services__Users"] = users,
            ["Services__Orders"] = orders,
            ["Services__Notifications"] = notifications,
            ["Quotas__Default__Capacity"] = QuotaCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Quotas__Default__RefillPerSecond"] = "10",
            ["Quotas__PerEmail__Capacity"] = PerEmailCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Quotas__PerEmail__RefillPerSecond"] = "0.01",
        };
        Start("gateway", "gateway/Mesh.Gateway", "Mesh.Gateway.dll", gateway, GatewayAddress);
        Start("gateway-b", "gateway/Mesh.Gateway", "Mesh.Gateway.dll", new Dictionary<string, string>(gateway)
        {
            ["ForwardedHeaders__KnownProxies__0"] = TrustedProxy,
        }, secondGateway);

        foreach (var address in new[] { users, orders, notifications, GatewayAddress, secondGateway })
        {
            await WaitServingAsync(address);
        }

        Gateway = GrpcChannel.ForAddress(GatewayAddress);
        SecondGateway = GrpcChannel.ForAddress(secondGateway);
        await WarmUpAsync();
    }

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        SecondGateway?.Dispose();
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await process.DisposeAsync();
        }

        await _redis.DisposeAsync();
        Pki.Dispose();
        File.Delete(_bootstrapFile);
    }

    /// <summary>What a component of the mesh starts with: the shared settings, its certificate and its Redis user.</summary>
    public Dictionary<string, string> EnvironmentOf(string workload) =>
        new(_common.Concat(Pki.EnvironmentFor(workload)).Concat(_redis.EnvironmentFor(workload)));

    /// <summary>
    /// One more notification service and a gateway in front of it, configured like the fixture's own
    /// but with <paramref name="notifications"/> and <paramref name="gateway"/> settings on top, over
    /// the same Redis and broker. The notification service consumes in a group of its own, so the
    /// fixture's consumers are not rebalanced. Disposing stops both.
    /// </summary>
    public async Task<ExtraGateway> StartExtraGatewayAsync(
        IReadOnlyDictionary<string, string> notifications, IReadOnlyDictionary<string, string> gateway)
    {
        var notificationsAddress = Address("https");
        var gatewayAddress = Address();
        var name = $"extra-{Guid.NewGuid():N}"[..12];
        var notificationsProcess = ChildProcess.StartDotnet(
            $"{name}-notifications",
            Runnables.Of("services/notifications/Mesh.Notifications", "Mesh.Notifications.dll"),
            new Dictionary<string, string>(EnvironmentOf(Workloads.Notifications).Concat(notifications))
            {
                ["Urls"] = notificationsAddress,
                ["Kafka__ConsumerGroup"] = $"mesh-notifications-{name}",
            });
        var gatewayProcess = ChildProcess.StartDotnet(
            $"{name}-gateway",
            Runnables.Of("gateway/Mesh.Gateway", "Mesh.Gateway.dll"),
            new Dictionary<string, string>(_gateway.Concat(gateway))
            {
                ["Urls"] = gatewayAddress,
                ["Services__Notifications"] = notificationsAddress,
            });
        var extra = new ExtraGateway(gatewayAddress, notificationsProcess, gatewayProcess);
        foreach (var address in new[] { notificationsAddress, gatewayAddress })
        {
            using var channel = Pki.Channel(address, Workloads.Operator);
            if (!await GrpcHealth.WaitServingAsync(channel, TimeSpan.FromSeconds(60), () => extra.HasExited))
            {
                var output = extra.Output;
                await extra.DisposeAsync();
                throw new InvalidOperationException($"{address} never became SERVING.\n{output}");
            }
        }

        return extra;
    }

    /// <summary>What every component printed, for the message of a failed assertion.</summary>
    public string Logs(params string[] names) => string.Join(
        "\n",
        _processes.Where(p => names.Length == 0 || names.Contains(p.Name)).Select(p => $"----- {p.Name}{(p.HasExited ? " (exited)" : "")}\n{p.Output}"));

    private static string Address(string scheme = "http") => $"{scheme}://127.0.0.1:{FreePort.Next()}";

    private void Start(string name, string projectDirectory, string assembly, Dictionary<string, string> environment, string url) =>
        _processes.Add(ChildProcess.StartDotnet(
            name, Runnables.Of(projectDirectory, assembly), new Dictionary<string, string>(environment) { ["Urls"] = url }));

    private async Task<string> StartDevBrokerAsync()
    {
        var broker = ChildProcess.StartDotnet(
            "dev-broker", Runnables.Of("tools/Mesh.DevBroker", "Mesh.DevBroker.dll"),
            new Dictionary<string, string>(), "--bootstrap-file", _bootstrapFile);
        _processes.Add(broker);
        await Poll.UntilAsync(
            () => broker.HasExited ? throw new InvalidOperationException("The dev broker exited:\n" + broker.Output) : File.Exists(_bootstrapFile),
            TimeSpan.FromSeconds(30),
            () => "The dev broker did not start:\n" + broker.Output,
            TimeSpan.FromMilliseconds(50));

        return (await File.ReadAllTextAsync(_bootstrapFile)).Trim();
    }

    private string StartDashboard()
    {
        DashboardAddress = Address();
        var otlp = Address();
        _processes.Add(ChildProcess.Start(
            "dashboard",
            Runnables.DashboardExecutable(),
            [],
            Path.GetTempPath(),
            new Dictionary<string, string>
            {
                ["ASPNETCORE_URLS"] = DashboardAddress,
                ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = otlp,
                ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
            }));
        return otlp;
    }

    /// <summary>
    /// Runs the flow once, so that the consumer groups have joined and own their partitions
    /// before any test measures how fast a notification arrives.
    /// </summary>
    private async Task WarmUpAsync()
    {
        try
        {
            var user = await TestUser.CreateAsync(Gateway);
            await using var stream = await NotificationStream.OpenAsync(user);
            await user.PlaceOrderAsync("warm-up", TestUser.Line());
            await stream.NextAsync(TimeSpan.FromSeconds(60));
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException($"The warm-up order was never notified ({exception.Message}).\n{Logs()}", exception);
        }
    }

    private async Task WaitServingAsync(string address)
    {
        using var channel = Pki.Channel(address, Workloads.Operator);
        if (!await GrpcHealth.WaitServingAsync(channel, TimeSpan.FromSeconds(60), () => _processes.Any(p => p.HasExited)))
        {
            throw new InvalidOperationException($"{address} never became SERVING.\n{Logs()}");
        }
    }
}
