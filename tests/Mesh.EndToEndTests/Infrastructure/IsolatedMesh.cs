using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Confluent.Kafka;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts;
using Mesh.Contracts.V1;
using Mesh.Identity;
using Mesh.Testing;
using Metadata = Grpc.Core.Metadata;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// The mesh as the AppHost declares it (<see cref="AppHostMesh"/>), over a Redis and a broker of
/// this test's own, for tests that take a dependency away: redis-server with the mesh's ACL users
/// (it can be frozen) and the broker in-process (its brokers can be set down), both handed to the
/// AppHost as a user hands it theirs. Tests call the services as the gateway does, with its
/// certificate and the user id header. The services run in <see cref="TestMode"/>, so that an
/// outage of seconds outlasts their retry budget many times over.
/// </summary>
public sealed class IsolatedMesh : IAsyncDisposable
{
    /// <summary>
    /// A tiny unclassified retry budget (2 attempts, about 50 ms apart) and short Redis and Kafka
    /// client timeouts, so that under the old behaviour every record caught by an outage would be
    /// dead-lettered. Publishes wait half a second before they are sent (a saga otherwise ends
    /// within milliseconds), so that at any instant events are on their way between two services
    /// and an outage catches some of them in a handler.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> TestMode = new Dictionary<string, string>
    {
        ["Kafka__HandlerRetry__MaxAttempts"] = "2",
        ["Kafka__HandlerRetry__InitialBackoff"] = "00:00:00.050",
        ["Kafka__HandlerRetry__MaxBackoff"] = "00:00:00.500",
        ["Kafka__Producer__message.timeout.ms"] = "1500",
        ["Kafka__Producer__linger.ms"] = "500",
    };

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private static readonly string[] Services = [Workloads.Users, Workloads.Orders, Workloads.Notifications];

    private AppHostMesh? _host;
    private TestPki? _pki;
    private GrpcChannel? _users;
    private GrpcChannel? _orders;

    private IsolatedMesh()
    {
    }

    public RedisServerFixture Redis { get; } = RedisServerFixture.WithAccessControl();

    public KafkaBrokerFixture Kafka { get; } = new();

    private AppHostMesh Host => _host ?? throw new InvalidOperationException("The mesh has not started.");

    /// <summary>Starts Redis, the broker and the mesh on them (the gateway and the sidecar too, idle), and waits until an order went through the whole saga.</summary>
    public static async Task<IsolatedMesh> StartAsync()
    {
        var mesh = new IsolatedMesh();
        try
        {
            await mesh.InitializeAsync();
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    public async Task<string> RegisterAsync()
    {
        var user = await new Auth.AuthClient(_users).RegisterAsync(new RegisterRequest
        {
            Email = $"user-{Guid.NewGuid():N}@example.test",
            Password = TestUser.Password,
            DisplayName = "Outage Test",
        }, deadline: TestUser.Deadline);
        return user.UserId;
    }

    public async Task<Order> PlaceOrderAsync(string userId, string idempotencyKey, CancellationToken cancellationToken = default) =>
        await new Orders.OrdersClient(_orders).PlaceOrderAsync(
            new PlaceOrderRequest { IdempotencyKey = idempotencyKey, Lines = { TestUser.Line() } }, Caller(userId, cancellationToken));

    public async Task<Order> GetOrderAsync(string userId, string orderId) =>
        await new Orders.OrdersClient(_orders).GetOrderAsync(new GetOrderRequest { OrderId = orderId }, Caller(userId));

    /// <summary>Records on every dead-letter topic (the broker is this mesh's own, so all of them are this test's).</summary>
    public long DeadLetters()
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = Kafka.BootstrapServers, GroupId = "dead-letter-count" }).Build();
        return EventContracts.All
            .SelectMany(c => Enumerable.Range(0, c.Partitions).Select(p => new TopicPartition(Topics.DeadLetter(c.Topic), p)))
            .Sum(p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
    }

    /// <summary>Completes once any service prints a line containing <paramref name="text"/> from now on.</summary>
    public Task PrintedAsync(string text) => Host.PrintedAsync(text);

    /// <summary>What the services printed, for the message of a failed assertion.</summary>
    public string Logs() => Host.Logs(Services);

    public async ValueTask DisposeAsync()
    {
        _users?.Dispose();
        _orders?.Dispose();
        _pki?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await Kafka.DisposeAsync();
        await Redis.DisposeAsync();
    }

    private async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        await Kafka.InitializeAsync();
        _host = new AppHostMesh(
            new Dictionary<string, string> { ["Redis__Configuration"] = Redis.ConnectionString, ["KAFKA_BOOTSTRAP_SERVERS"] = Kafka.BootstrapServers },
            Customize);
        await _host.InitializeAsync();
        var endpoints = await _host.ReadEndpointsAsync();
        _pki = TestPki.Open(Path.GetDirectoryName(endpoints.GetProperty("identity").GetProperty("trustBundle").GetString())!);

        // The test speaks for users as the gateway would.
        _users = _pki.Channel(endpoints.GetProperty("users").GetString()!, Workloads.Gateway);
        _orders = _pki.Channel(endpoints.GetProperty("orders").GetString()!, Workloads.Gateway);
        await WarmUpAsync();
    }

    /// <summary>
    /// Each service as its own Redis ACL user (the AppHost gives every component the address it
    /// was handed), with short client timeouts (a frozen Redis fails an attempt within a second,
    /// not five), the test mode and, as with the dev broker, the Development settings.
    /// </summary>
    private void Customize(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var service in Services)
        {
            var settings = new Dictionary<string, string>(Redis.EnvironmentFor(service).Concat(TestMode))
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
            };
            settings["Redis__Configuration"] += ",asyncTimeout=1000,syncTimeout=1000";
            if (service == Workloads.Orders)
            {
                foreach (var (key, value) in TestCatalog.Environment)
                {
                    settings[key] = value;
                }
            }

            builder.CreateResourceBuilder<ExecutableResource>(service).WithEnvironment(context =>
            {
                foreach (var (key, value) in settings)
                {
                    context.EnvironmentVariables[key] = value;
                }
            });
        }
    }

    /// <summary>One order through the saga, so that every consumer group has joined and owns its partitions.</summary>
    private async Task WarmUpAsync()
    {
        var (user, order) = await FirstAcceptedOrderAsync();
        var settled = await Eventually.ReadAsync(() => GetOrderAsync(user, order.OrderId), o => o.Status != OrderStatus.Pending, StartTimeout);
        if (settled.Status == OrderStatus.Pending)
        {
            throw new InvalidOperationException($"The warm-up order never settled.\n{Logs()}");
        }
    }

    /// <summary>
    /// A user registered and an order placed. The services' first calls load scripts and compile
    /// code, and the test mode gives Redis calls one second: on a loaded machine a cold first call
    /// can run out of it, so a call that failed as unavailable or late is made again.
    /// </summary>
    private async Task<(string User, Order Order)> FirstAcceptedOrderAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var user = await RegisterAsync();
                return (user, await PlaceOrderAsync(user, "warm-up"));
            }
            catch (RpcException exception) when (
                exception.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && clock.Elapsed < StartTimeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }

    private static CallOptions Caller(string userId, CancellationToken cancellationToken = default) =>
        new(new Metadata { { "x-mesh-user-id", userId } }, TestUser.Deadline, cancellationToken);
}
