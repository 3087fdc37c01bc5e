using System.Globalization;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Grpc.Net.Client;
using Mesh.Identity;
using Mesh.Testing;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// The whole mesh as <c>./mesh.sh up</c> starts it (tools/Mesh.AppHost, through
/// <see cref="AppHostMesh"/>), secured as deployed: Redis with an ACL user per service, the dev
/// broker, users, orders and notifications behind mutual TLS with the AppHost's throw-away mesh
/// CA, the sidecar and the gateway. On top of what <c>up</c> declares, for the tests: smaller
/// quotas, a credit limit and a catalog the tests can count on, the order service's plaintext
/// health port, a second gateway that trusts <c>X-Forwarded-For</c>, and an Aspire dashboard as
/// the OTLP receiver whose traces the tests read. Shared by every test of the collection; tests
/// isolate themselves by registering their own users.
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

    /// <summary>Login and Register attempts one email gets before RESOURCE_EXHAUSTED.</summary>
    public const int PerEmailCapacity = 5;

    private const string SecondGatewayName = "gateway-b";

    private static readonly TimeSpan ServeTimeout = TimeSpan.FromSeconds(60);

    private static readonly string[] Services = [Workloads.Users, Workloads.Orders, Workloads.Notifications, Workloads.Sidecar, Workloads.Gateway];

    private readonly string _otlp = Address();
    private readonly string _secondGateway = Address();
    private readonly string _dashboardFolder = Directory.CreateTempSubdirectory("mesh-e2e-dashboard-").FullName;
    private readonly AppHostMesh _host;

    public MeshFixture()
    {
        OrdersHealthAddress = Address();
        DashboardAddress = Address();
        // The AppHost sends telemetry where OTEL_EXPORTER_OTLP_ENDPOINT says, as it does for a user's collector.
        _host = new AppHostMesh(new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _otlp }, Customize);
    }

    public string GatewayAddress { get; private set; } = "";

    public string DashboardAddress { get; }

    /// <summary>The user service itself, for its internal APIs (Replay), which the gateway never forwards.</summary>
    public string UsersAddress { get; private set; } = "";

    public string KafkaBootstrap { get; private set; } = "";

    /// <summary>Redis as its admin user, for tests that look at what is stored.</summary>
    public string RedisConnection { get; private set; } = "";

    /// <summary>The mesh CA and every workload's certificate, for tests that call services directly.</summary>
    public TestPki Pki { get; private set; } = null!;

    public string OrdersAddress { get; private set; } = "";

    public string NotificationsAddress { get; private set; } = "";

    public GrpcChannel Gateway { get; private set; } = null!;

    /// <summary>The order service's plaintext health-only port (<c>Health:Port</c>), as probes reach it.</summary>
    public string OrdersHealthAddress { get; }

    /// <summary>A second gateway instance over the same Redis, as a replica set would have.</summary>
    public GrpcChannel SecondGateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _host.InitializeAsync();
        var endpoints = await _host.ReadEndpointsAsync();
        GatewayAddress = endpoints.GetProperty("gateway").GetString()!;
        UsersAddress = endpoints.GetProperty("users").GetString()!;
        OrdersAddress = endpoints.GetProperty("orders").GetString()!;
        NotificationsAddress = endpoints.GetProperty("notifications").GetString()!;
        KafkaBootstrap = endpoints.GetProperty("kafka").GetString()!;
        RedisConnection = AdminConnection(endpoints);
        Pki = TestPki.Open(Path.GetDirectoryName(endpoints.GetProperty("identity").GetProperty("trustBundle").GetString())!);

        // Not in the AppHost's start order: the fixture waits for it as the AppHost waits for its own.
        using (var channel = GrpcChannel.ForAddress(_secondGateway))
        {
            if (!await GrpcHealth.WaitServingAsync(channel, ServeTimeout, () => false))
            {
                throw new InvalidOperationException($"{SecondGatewayName} never became SERVING.\n{Logs(SecondGatewayName)}");
            }
        }

        Gateway = GrpcChannel.ForAddress(GatewayAddress);
        SecondGateway = GrpcChannel.ForAddress(_secondGateway);
        await WarmUpAsync();
    }

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        SecondGateway?.Dispose();
        Pki?.Dispose();
        await _host.DisposeAsync();
        Directory.Delete(_dashboardFolder, recursive: true);
    }

    /// <summary>
    /// One more notification service and a gateway in front of it, configured like the mesh's own
    /// but with <paramref name="notifications"/> and <paramref name="gateway"/> settings on top, over
    /// the same Redis and broker. The notification service consumes in a group of its own, so the
    /// mesh's consumers are not rebalanced. Disposing stops both.
    /// </summary>
    public async Task<ExtraGateway> StartExtraGatewayAsync(
        IReadOnlyDictionary<string, string> notifications, IReadOnlyDictionary<string, string> gateway)
    {
        var notificationsAddress = Address("https");
        var gatewayAddress = Address();
        var name = $"extra-{Guid.NewGuid():N}"[..12];
        var notificationsProcess = await StartAnotherAsync(Workloads.Notifications, $"{name}-notifications", new Dictionary<string, string>(notifications)
        {
            ["Urls"] = notificationsAddress,
            ["Kafka__ConsumerGroup"] = $"mesh-notifications-{name}",
        });
        var gatewayProcess = await StartAnotherAsync(Workloads.Gateway, $"{name}-gateway", new Dictionary<string, string>(gateway)
        {
            ["Urls"] = gatewayAddress,
            ["Services__Notifications"] = notificationsAddress,
        });
        var extra = new ExtraGateway(gatewayAddress, notificationsProcess, gatewayProcess);
        foreach (var address in new[] { notificationsAddress, gatewayAddress })
        {
            using var channel = Pki.Channel(address, Workloads.Operator);
            if (!await GrpcHealth.WaitServingAsync(channel, ServeTimeout, () => extra.HasExited))
            {
                var output = extra.Output;
                await extra.DisposeAsync();
                throw new InvalidOperationException($"{address} never became SERVING.\n{output}");
            }
        }

        return extra;
    }

    /// <summary>How <paramref name="component"/> reaches Redis (address, ACL user, password file): for another process that acts as it.</summary>
    public async Task<IReadOnlyDictionary<string, string>> RedisSettingsOfAsync(string component) =>
        (await _host.EnvironmentOfAsync(component))
            .Where(setting => setting.Key.StartsWith("Redis__", StringComparison.Ordinal))
            .ToDictionary(setting => setting.Key, setting => setting.Value);

    /// <summary>What every component printed (or those named), for the message of a failed assertion.</summary>
    public string Logs(params string[] names) => _host.Logs(names);

    /// <summary>
    /// The test settings on top of the AppHost's model. Each is an environment callback added after
    /// the AppHost's own, so it wins where both set a variable.
    /// </summary>
    private void Customize(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var service in Services)
        {
            builder.CreateResourceBuilder<ExecutableResource>(service)
                .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "200")
                .WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", "1000")
                // A renewed certificate file is picked up within a second (IdentityTests).
                .WithEnvironment("Identity__ReloadInterval", "00:00:01");
        }

        builder.CreateResourceBuilder<ExecutableResource>(Workloads.Users)
            .WithEnvironment("Users__DefaultCreditLimitCents", CreditLimitCents.ToString(CultureInfo.InvariantCulture));

        // As in Kubernetes: a plaintext port for the kubelet's probes beside the mutual-TLS one.
        var orders = builder.CreateResourceBuilder<ExecutableResource>(Workloads.Orders);
        foreach (var (key, value) in TestCatalog.Environment)
        {
            orders.WithEnvironment(key, value);
        }

        orders
            .WithEnvironment("Health__Port", new Uri(OrdersHealthAddress).Port.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment(context => context.EnvironmentVariables["Urls"] = $"{context.EnvironmentVariables["Urls"]};{OrdersHealthAddress}");

        var gateway = builder.CreateResourceBuilder<ExecutableResource>(Workloads.Gateway)
            .WithEnvironment("Quotas__Default__Capacity", QuotaCapacity.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Quotas__Default__RefillPerSecond", "10")
            .WithEnvironment("Quotas__PerEmail__Capacity", PerEmailCapacity.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("Quotas__PerEmail__RefillPerSecond", "0.01");

        // A replica of the gateway: its command and every setting of the first (its own callbacks,
        // run for this resource), then its own address and the proxy it trusts.
        builder.AddExecutable(SecondGatewayName, gateway.Resource.Command, gateway.Resource.WorkingDirectory)
            .WithEnvironment(async context =>
            {
                foreach (var setting in gateway.Resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
                {
                    await setting.Callback(context);
                }

                context.EnvironmentVariables["Urls"] = _secondGateway;
                context.EnvironmentVariables["ForwardedHeaders__KnownProxies__0"] = TrustedProxy;
            })
            .WaitFor(builder.CreateResourceBuilder<ExecutableResource>("redis"));

        builder.AddExecutable("dashboard", Runnables.DashboardExecutable(), _dashboardFolder)
            .WithEnvironment("ASPNETCORE_URLS", DashboardAddress)
            .WithEnvironment("ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", _otlp)
            .WithEnvironment("ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS", "true");
    }

    /// <summary>Another instance of <paramref name="component"/>, with its environment as the AppHost computes it and <paramref name="settings"/> on top.</summary>
    private async Task<ChildProcess> StartAnotherAsync(string component, string name, IReadOnlyDictionary<string, string> settings)
    {
        var environment = await _host.EnvironmentOfAsync(component);
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var executable = _host.Executable(component);
        return ChildProcess.Start(name, executable.Command, [], executable.WorkingDirectory, environment);
    }

    /// <summary>Redis as its admin user: the address and password file endpoints.json names.</summary>
    private static string AdminConnection(JsonElement endpoints)
    {
        var admin = endpoints.GetProperty("redisAdmin");
        var password = File.ReadAllText(admin.GetProperty("passwordFile").GetString()!).Trim();
        return $"{endpoints.GetProperty("redis").GetString()},user={admin.GetProperty("user").GetString()},password={password}";
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

    private static string Address(string scheme = "http") => $"{scheme}://127.0.0.1:{FreePort.Next()}";
}
