using Confluent.Kafka;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Identity;
using Mesh.Testing;
using StackExchange.Redis;
using Metadata = Grpc.Core.Metadata;
using Order = Mesh.Contracts.V1.Order;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace Mesh.EndToEndTests;

/// <summary>
/// "No dual writes" for the orders service's credit step: orders is killed with SIGKILL after it
/// recorded the order's outcome in Redis and before Kafka accepted the OrderConfirmed, then restarted.
/// Runs its own Redis, an in-process broker (so the test can make Produce fail) and the orders and
/// notifications processes; the test itself plays the users service and produces the CreditReserved.
/// </summary>
[Collection(IsolatedCollection.Name)]
public sealed class OrderOutcomeCrashTests : IAsyncLifetime
{
    private const short ProduceApiKey = 0;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    private readonly RedisServerFixture _redis = RedisServerFixture.WithAccessControl();
    private readonly TestPki _pki = new();
    private readonly KafkaBrokerFixture _kafka = new();
    private readonly string _ordersAddress = $"https://127.0.0.1:{FreePort.Next()}";
    private readonly string _notificationsAddress = $"https://127.0.0.1:{FreePort.Next()}";
    private readonly List<ChildProcess> _processes = [];
    private ChildProcess? _orders;
    private GrpcChannel? _ordersChannel;
    private GrpcChannel? _notificationsChannel;
    private ConnectionMultiplexer? _redisClient;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        await _kafka.InitializeAsync();
        _redisClient = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        // The test speaks for the user as the gateway would.
        _ordersChannel = _pki.Channel(_ordersAddress, Workloads.Gateway);
        _notificationsChannel = _pki.Channel(_notificationsAddress, Workloads.Gateway);
        await StartAsync("notifications", "services/notifications/Mesh.Notifications", "Mesh.Notifications.dll", _notificationsAddress);
        _orders = await StartOrdersAsync();
    }

    public async Task DisposeAsync()
    {
        _ordersChannel?.Dispose();
        _notificationsChannel?.Dispose();
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        if (_redisClient is not null)
        {
            await _redisClient.DisposeAsync();
        }

        await _kafka.DisposeAsync();
        await _redis.DisposeAsync();
        _pki.Dispose();
    }

    [Fact]
    public async Task CreditReserved_OrdersKilledBetweenRecordAndPublish_RestartPublishesTheRecordedEventOnce()
    {
        var userId = $"usr_{Guid.NewGuid():N}";
        var orders = new Orders.OrdersClient(_ordersChannel);
        var order = await orders.PlaceOrderAsync(
            new PlaceOrderRequest { IdempotencyKey = "crash", Lines = { TestUser.Line("CRASH", 1, 4200) } }, Caller(userId));
        // This process only placed the order: the credit event must reach the next one.
        _orders!.Kill();

        var credit = new CreditReserved
        {
            EventId = $"evt_{Guid.NewGuid():N}",
            OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            UserId = userId,
            OrderId = order.OrderId,
            AmountCents = 4200,
            CreditLimitCents = 10_000,
            ReservedTotalCents = 4200,
            CausationId = "evt_placed",
        };
        await ProduceAsync(credit);
        // From now on every Produce fails with a retriable error: orders can record, not publish.
        _kafka.Cluster.PushRequestErrors(ProduceApiKey, Enumerable.Repeat((int)ErrorCode.NotEnoughReplicas, 100_000).ToArray());

        _orders = await StartOrdersAsync();
        var recorded = await Eventually.ReadAsync(() => FindRecordedAsync(userId, order.OrderId), r => r is not null, Within);
        Assert.True(recorded is not null, "orders never recorded the outcome.\n" + Logs());
        Assert.Equal(credit.EventId, recorded.CausationId);
        Assert.Empty(ReadTopic(Topics.OrderConfirmed, OrderConfirmed.Parser));
        Assert.Equal(OrderStatus.Pending, (await GetOrderAsync(userId, order.OrderId)).Status);

        // SIGKILL while the publish is still being retried, then the broker heals and orders restarts.
        _orders.Kill();
        Assert.True(_orders.HasExited);
        _kafka.Cluster.ClearRequestErrors(ProduceApiKey);
        _orders = await StartOrdersAsync();

        var final = await Eventually.ReadAsync(() => GetOrderAsync(userId, order.OrderId), o => o.Status != OrderStatus.Pending, Within);
        Assert.True(final.Status == OrderStatus.Confirmed, $"The order is {final.Status}.\n" + Logs());
        var notified = await Eventually.ReadAsync(() => ListNotificationsAsync(userId), n => n.Count > 0, Within);
        Assert.NotEmpty(notified);
        // Long enough for a doubled event to have reached notifications as well.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var notification = Assert.Single(await ListNotificationsAsync(userId));
        Assert.Equal(("order.confirmed", order.OrderId), (notification.Kind, notification.OrderId));

        var copies = ReadTopic(Topics.OrderConfirmed, OrderConfirmed.Parser).Where(e => e.OrderId == order.OrderId).ToList();
        Assert.NotEmpty(copies);
        Assert.All(copies, copy => Assert.Equal(recorded, copy));
        Assert.Empty(ReadTopic(Topics.OrderRejected, OrderRejected.Parser));
    }

    private static CallOptions Caller(string userId) =>
        new(new Metadata { { "x-mesh-user-id", userId } }, TestUser.Deadline);

    private async Task<Order> GetOrderAsync(string userId, string orderId) =>
        await new Orders.OrdersClient(_ordersChannel).GetOrderAsync(new GetOrderRequest { OrderId = orderId }, Caller(userId));

    private async Task<List<Notification>> ListNotificationsAsync(string userId) =>
        (await new Notifications.NotificationsClient(_notificationsChannel)
            .ListNotificationsAsync(new ListNotificationsRequest { PageSize = 50 }, Caller(userId))).Notifications.ToList();

    /// <summary>The decision orders recorded for the order (white box: the record is what this test is about).</summary>
    private async Task<OrderConfirmed?> FindRecordedAsync(string userId, string orderId)
    {
        var value = await _redisClient!.GetDatabase().HashGetAsync($"orders:{{{userId}}}:settlement:{orderId}", "outcome");
        return value.IsNull ? null : Any.Parser.ParseFrom((byte[])value!).Unpack<OrderConfirmed>();
    }

    private async Task ProduceAsync(IMessage @event)
    {
        var contract = EventContracts.For(@event.Descriptor.FullName);
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = _kafka.BootstrapServers }).Build();
        await producer.ProduceAsync(contract.Topic, new Message<string, byte[]>
        {
            Key = contract.PartitionKey(@event),
            Value = @event.ToByteArray(),
            Headers = new Headers { { "message-type", System.Text.Encoding.UTF8.GetBytes(contract.MessageType) } },
        });
    }

    /// <summary>Every record of the topic, from the start of each partition to its end.</summary>
    private List<T> ReadTopic<T>(string topic, MessageParser<T> parser) where T : IMessage<T>
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = _kafka.BootstrapServers,
            GroupId = $"e2e-reader-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            FetchWaitMaxMs = 10,
        };
        using var consumer = new ConsumerBuilder<string, byte[]>(config).Build();
        var records = new List<T>();
        var partitions = EventContracts.All.Single(c => c.Topic == topic).Partitions;
        for (var partition = 0; partition < partitions; partition++)
        {
            var topicPartition = new TopicPartition(topic, partition);
            var end = consumer.QueryWatermarkOffsets(topicPartition, TimeSpan.FromSeconds(10)).High.Value;
            if (end == 0)
            {
                continue;
            }

            consumer.Assign(new TopicPartitionOffset(topicPartition, Offset.Beginning));
            for (var offset = 0L; offset < end;)
            {
                var record = consumer.Consume(TimeSpan.FromSeconds(10))
                    ?? throw new InvalidOperationException($"{topicPartition} ends at {end} but nothing came after {offset}.");
                records.Add(parser.ParseFrom(record.Message.Value));
                offset = record.Offset.Value + 1;
            }

            consumer.Unassign();
        }

        consumer.Close();
        return records;
    }

    private Task<ChildProcess> StartOrdersAsync() =>
        StartAsync(Workloads.Orders, "services/orders/Mesh.Orders", "Mesh.Orders.dll", _ordersAddress);

    private async Task<ChildProcess> StartAsync(string name, string projectDirectory, string assembly, string url)
    {
        var process = ChildProcess.StartDotnet(name, Runnables.Of(projectDirectory, assembly), new Dictionary<string, string>(
            _pki.EnvironmentFor(name).Concat(_redis.EnvironmentFor(name)))
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Urls"] = url,
            ["Kafka__BootstrapServers"] = _kafka.BootstrapServers,
            ["Orders__Catalog__CRASH"] = "4200",
        });
        _processes.Add(process);
        using var channel = _pki.Channel(url, Workloads.Operator);
        if (!await GrpcHealth.WaitServingAsync(channel, Within, () => process.HasExited))
        {
            throw new InvalidOperationException($"{name} never became SERVING.\n{Logs()}");
        }

        return process;
    }

    private string Logs() => string.Join(
        "\n", _processes.Select(p => $"----- {p.Name}{(p.HasExited ? " (exited)" : "")}\n{p.Output}"));
}
