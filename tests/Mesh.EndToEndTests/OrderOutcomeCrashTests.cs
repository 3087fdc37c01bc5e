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

    private readonly KillableServices _services = new(new Dictionary<string, string> { ["Orders__Catalog__CRASH"] = "4200" });
    private ChildProcess? _orders;
    private GrpcChannel? _ordersChannel;
    private GrpcChannel? _notificationsChannel;
    private ConnectionMultiplexer? _redisClient;

    public async Task InitializeAsync()
    {
        await _services.InitializeAsync();
        _redisClient = await ConnectionMultiplexer.ConnectAsync(_services.Redis.ConnectionString);
        _ordersChannel = _services.ChannelTo(Workloads.Orders);
        _notificationsChannel = _services.ChannelTo(Workloads.Notifications);
        await _services.StartAsync(Workloads.Notifications);
        _orders = await _services.StartAsync(Workloads.Orders);
    }

    public async Task DisposeAsync()
    {
        _ordersChannel?.Dispose();
        _notificationsChannel?.Dispose();
        if (_redisClient is not null)
        {
            await _redisClient.DisposeAsync();
        }

        await _services.DisposeAsync();
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
        await _services.Log.ProduceAsync(credit);
        // From now on every Produce fails with a retriable error: orders can record, not publish.
        _services.Kafka.Cluster.PushRequestErrors(ProduceApiKey, Enumerable.Repeat((int)ErrorCode.NotEnoughReplicas, 100_000).ToArray());

        _orders = await _services.StartAsync(Workloads.Orders);
        var recorded = await Eventually.ReadAsync(() => FindRecordedAsync(userId, order.OrderId), r => r is not null, Within);
        Assert.True(recorded is not null, "orders never recorded the outcome.\n" + _services.Logs());
        Assert.Equal(credit.EventId, recorded.CausationId);
        Assert.Empty(_services.Log.ReadEvents<OrderConfirmed>(Topics.OrderConfirmed));
        Assert.Equal(OrderStatus.Pending, (await GetOrderAsync(userId, order.OrderId)).Status);

        // SIGKILL while the publish is still being retried, then the broker heals and orders restarts.
        _orders.Kill();
        Assert.True(_orders.HasExited);
        _services.Kafka.Cluster.ClearRequestErrors(ProduceApiKey);
        _orders = await _services.StartAsync(Workloads.Orders);

        var final = await Eventually.ReadAsync(() => GetOrderAsync(userId, order.OrderId), o => o.Status != OrderStatus.Pending, Within);
        Assert.True(final.Status == OrderStatus.Confirmed, $"The order is {final.Status}.\n" + _services.Logs());
        var notified = await Eventually.ReadAsync(() => ListNotificationsAsync(userId), n => n.Count > 0, Within);
        Assert.NotEmpty(notified);
        // Long enough for a doubled event to have reached notifications as well.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var notification = Assert.Single(await ListNotificationsAsync(userId));
        Assert.Equal(("order.confirmed", order.OrderId), (notification.Kind, notification.OrderId));

        var copies = _services.Log.ReadEvents<OrderConfirmed>(Topics.OrderConfirmed).Where(e => e.OrderId == order.OrderId).ToList();
        Assert.NotEmpty(copies);
        Assert.All(copies, copy => Assert.Equal(recorded, copy));
        Assert.Empty(_services.Log.ReadEvents<OrderRejected>(Topics.OrderRejected));
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
}
