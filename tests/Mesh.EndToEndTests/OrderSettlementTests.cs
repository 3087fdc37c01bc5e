using Confluent.Kafka;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Identity;
using Mesh.Testing;
using Metadata = Grpc.Core.Metadata;

namespace Mesh.EndToEndTests;

/// <summary>
/// Every order ends, even when the user service is gone: the users, orders and notifications
/// services run as processes on their own Redis and broker, orders with a settlement deadline of
/// fifteen seconds. With users stopped, a placed order stays PENDING until the sweeper rejects it as
/// timed_out; when users comes back it reads both the OrderPlaced and the timeout, in whatever
/// order, and holds no credit for the order (a reservation it takes first is released).
/// </summary>
[Collection(IsolatedCollection.Name)]
public sealed class OrderSettlementTests : IAsyncLifetime
{
    private const long Price = 2_500;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    private readonly KillableServices _services = new(new Dictionary<string, string>
    {
        ["Orders__Catalog__SETTLE"] = Price.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // Long enough that a first saga of freshly started services (cold code, groups just
        // joined) on a loaded machine settles in time, short enough to wait for in the other test.
        ["Orders__SettleWithin"] = "00:00:15",
        ["Orders__SweepInterval"] = "00:00:00.500",
        ["Users__DefaultCreditLimitCents"] = "100000",
    });

    private ChildProcess? _users;
    private GrpcChannel? _usersChannel;
    private GrpcChannel? _ordersChannel;
    private GrpcChannel? _notificationsChannel;

    public async Task InitializeAsync()
    {
        await _services.InitializeAsync();
        _usersChannel = _services.ChannelTo(Workloads.Users);
        _ordersChannel = _services.ChannelTo(Workloads.Orders);
        _notificationsChannel = _services.ChannelTo(Workloads.Notifications);
        _users = await _services.StartAsync(Workloads.Users);
        await _services.StartAsync(Workloads.Orders);
        await _services.StartAsync(Workloads.Notifications);
    }

    public async Task DisposeAsync()
    {
        _usersChannel?.Dispose();
        _ordersChannel?.Dispose();
        _notificationsChannel?.Dispose();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task PlaceOrder_UsersServiceDownPastTheDeadline_TimedOutAndNoCreditHeldOnceUsersReturns()
    {
        var userId = await RegisterAsync();
        _users!.Kill();

        var order = await Orders.PlaceOrderAsync(
            new PlaceOrderRequest { IdempotencyKey = "stranded", Lines = { TestUser.Line("SETTLE", 1) } }, Caller(userId));
        var settled = await Eventually.ReadAsync(() => GetOrderAsync(userId, order.OrderId), o => o.Status != OrderStatus.Pending, Within);
        Assert.True(settled.Status == OrderStatus.Rejected, $"The order is {settled.Status}.\n{_services.Logs()}");
        Assert.Equal("timed_out", settled.StatusReason);

        _users = await _services.StartAsync(Workloads.Users);
        // Users decides the OrderPlaced (rejected, or reserved and then released) and answers both.
        var decided = await Eventually.ReadAsync(
            () => Task.FromResult(_services.Log.ReadEvents<CreditReserved>(Topics.CreditReserved).Count(c => c.OrderId == order.OrderId)
                + _services.Log.ReadEvents<CreditRejected>(Topics.CreditRejected).Count(c => c.OrderId == order.OrderId)),
            count => count > 0, Within);
        Assert.True(decided > 0, "users never decided the order's credit.\n" + _services.Logs());
        var credit = await Eventually.ReadAsync(
            () => GetCreditAsync(userId), c => c.ReservedCents == 0 && c.SpentCents == 0, TimeSpan.FromSeconds(20));
        Assert.Equal((0L, 0L), (credit.ReservedCents, credit.SpentCents));
        var reserved = _services.Log.ReadEvents<CreditReserved>(Topics.CreditReserved).Where(c => c.OrderId == order.OrderId).ToList();
        var released = _services.Log.ReadEvents<CreditReleased>(Topics.CreditReleased).Where(c => c.OrderId == order.OrderId).ToList();
        Assert.Equal(reserved.Count > 0, released.Count > 0);
        Assert.All(released, r => Assert.Equal(("order_timed_out", Price), (r.Reason, r.AmountCents)));

        // However the late credit decision went, the order stays what the deadline made it.
        Assert.Equal((OrderStatus.Rejected, "timed_out"), ((await GetOrderAsync(userId, order.OrderId)).Status, settled.StatusReason));
        var notification = Assert.Single(await Eventually.ReadAsync(() => ListNotificationsAsync(userId), n => n.Count > 0, Within));
        Assert.Equal("order.rejected", notification.Kind);
    }

    [Fact]
    public async Task CancelOrder_ConfirmedOrder_CancelledCreditReleasedAndNotifiedOnce()
    {
        var userId = await RegisterAsync();
        var order = await Orders.PlaceOrderAsync(
            new PlaceOrderRequest { IdempotencyKey = "to-cancel", Lines = { TestUser.Line("SETTLE", 2) } }, Caller(userId));
        await Eventually.ReadAsync(() => GetOrderAsync(userId, order.OrderId), o => o.Status == OrderStatus.Confirmed, Within);
        Assert.Equal(2 * Price, (await GetCreditAsync(userId)).ReservedCents);

        var cancelled = await Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = order.OrderId }, Caller(userId));
        var again = await Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = order.OrderId }, Caller(userId));

        Assert.Equal(OrderStatus.Cancelled, cancelled.Status);
        Assert.Equal(cancelled, again);
        var credit = await Eventually.ReadAsync(() => GetCreditAsync(userId), c => c.ReservedCents == 0 && c.SpentCents == 0, Within);
        Assert.Equal(credit.LimitCents, credit.AvailableCents);
        var notifications = await Eventually.ReadAsync(() => ListNotificationsAsync(userId), n => n.Count == 2, Within);
        Assert.Equal(["order.cancelled", "order.confirmed"], notifications.Select(n => n.Kind).Order());
        Assert.Single(_services.Log.ReadEvents<CreditReleased>(Topics.CreditReleased).Where(r => r.OrderId == order.OrderId).Select(r => r.EventId).Distinct());
        var rejected = await Assert.ThrowsAsync<RpcException>(() => Orders.CancelOrderAsync(
            new CancelOrderRequest { OrderId = order.OrderId }, Caller($"usr_{Guid.NewGuid():N}")).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, rejected.StatusCode);
    }

    private Orders.OrdersClient Orders => new(_ordersChannel);

    private static CallOptions Caller(string userId) => new(new Metadata { { "x-mesh-user-id", userId } }, TestUser.Deadline);

    private async Task<string> RegisterAsync()
    {
        var email = $"settle-{Guid.NewGuid():N}@example.test";
        var user = await new Auth.AuthClient(_usersChannel).RegisterAsync(
            new RegisterRequest { Email = email, Password = TestUser.Password, DisplayName = "Settle" }, deadline: TestUser.Deadline);
        return user.UserId;
    }

    private async Task<Order> GetOrderAsync(string userId, string orderId) =>
        await Orders.GetOrderAsync(new GetOrderRequest { OrderId = orderId }, Caller(userId));

    private async Task<Credit> GetCreditAsync(string userId) =>
        await new Users.UsersClient(_usersChannel).GetCreditAsync(new GetCreditRequest(), Caller(userId));

    private async Task<List<Notification>> ListNotificationsAsync(string userId) =>
        (await new Notifications.NotificationsClient(_notificationsChannel)
            .ListNotificationsAsync(new ListNotificationsRequest { PageSize = 50 }, Caller(userId))).Notifications.ToList();
}
