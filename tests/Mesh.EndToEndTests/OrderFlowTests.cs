using System.Diagnostics;
using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;

namespace Mesh.EndToEndTests;

[Collection(MeshCollection.Name)]
public sealed class OrderFlowTests(MeshFixture mesh)
{
    private static readonly TimeSpan SagaTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PlaceOrder_WithSubscriber_ConfirmedAndNotifiedWithinThreeSecondsAndEveryViewShowsIt()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        await using var stream = await NotificationStream.OpenAsync(user);

        var clock = Stopwatch.StartNew();
        var order = await user.PlaceOrderAsync("flow-1", TestUser.Line("BOOK", 2, 1250), TestUser.Line("PEN", 1, 199));
        var notification = await stream.NextAsync(TimeSpan.FromSeconds(10));
        clock.Stop();

        Assert.Equal(OrderStatus.Pending, order.Status);
        Assert.Equal(2 * 1250 + 199, order.TotalCents);
        Assert.Equal(user.UserId, order.UserId);
        Assert.Equal(order.OrderId, notification.OrderId);
        Assert.Equal(user.UserId, notification.UserId);
        Assert.Equal("order.confirmed", notification.Kind);
        // The whole saga: orders, users, orders again, notifications, each a Kafka hop.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"The notification took {clock.Elapsed.TotalMilliseconds:F0} ms.");

        var confirmed = WithStatus(order, OrderStatus.Confirmed);
        var fetched = await Eventually.ReadAsync(
            () => user.Orders.GetOrderAsync(new GetOrderRequest { OrderId = order.OrderId }, user.Call()).ResponseAsync,
            o => o.Status != OrderStatus.Pending,
            SagaTimeout);
        Assert.Equal(confirmed, fetched);
        var listed = await user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call());
        Assert.Equal(confirmed, Assert.Single(listed.Orders));
        var notifications = await user.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), user.Call());
        Assert.Equal(notification, Assert.Single(notifications.Notifications));
    }

    [Fact]
    public async Task PlaceOrder_SameIdempotencyKey_ReturnsFirstOrderAndCreatesNothingNew()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        await using var stream = await NotificationStream.OpenAsync(user);

        var first = await user.PlaceOrderAsync("same-key", TestUser.Line("A", 1, 100));
        var again = await user.PlaceOrderAsync("same-key", TestUser.Line("A", 1, 100));
        var other = await user.PlaceOrderAsync("other-key", TestUser.Line("A", 1, 100));

        // The saga may have confirmed the first order by the time the retry reads it back.
        Assert.Equal(first, WithStatus(again, first.Status));
        Assert.NotEqual(first.OrderId, other.OrderId);
        var received = await stream.ReceiveAsync(2, SagaTimeout, quiet: TimeSpan.FromSeconds(2));
        Assert.Equal(
            new[] { first.OrderId, other.OrderId }.Order(),
            received.Select(n => n.OrderId).Order());
        var listed = await user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call());
        Assert.Equal(2, listed.Orders.Count);
    }

    [Fact]
    public async Task PlaceOrder_SameKeyConcurrently_OneOrderOneNotification()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        await using var stream = await NotificationStream.OpenAsync(user);

        var orders = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            user.PlaceOrderAsync("raced-key", TestUser.Line("RACE", 1, 500))));

        var orderId = Assert.Single(orders.Select(o => o.OrderId).Distinct());
        var received = await stream.ReceiveAsync(1, SagaTimeout, quiet: TimeSpan.FromSeconds(2));
        Assert.Equal([orderId], received.Select(n => n.OrderId));
        var listed = await user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call());
        Assert.Equal([orderId], listed.Orders.Select(o => o.OrderId));
    }

    [Fact]
    public async Task ListOrders_SmallPages_WalksEveryOrderNewestFirst()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        var placed = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            placed.Add((await user.PlaceOrderAsync($"page-{i}", TestUser.Line())).OrderId);
        }

        var seen = new List<string>();
        var token = "";
        do
        {
            var page = await user.Orders.ListOrdersAsync(new ListOrdersRequest { PageSize = 2, PageToken = token }, user.Call());
            Assert.True(page.Orders.Count <= 2);
            seen.AddRange(page.Orders.Select(o => o.OrderId));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(Enumerable.Reverse(placed), seen);
    }

    [Fact]
    public async Task GetOrder_OtherUsersOrder_NotFound()
    {
        var owner = await TestUser.CreateAsync(mesh.Gateway);
        var stranger = await TestUser.CreateAsync(mesh.Gateway);
        var order = await owner.PlaceOrderAsync("mine", TestUser.Line());

        var status = await RpcAssert.FailsWithAsync(StatusCode.NotFound, () =>
            stranger.Orders.GetOrderAsync(new GetOrderRequest { OrderId = order.OrderId }, stranger.Call()).ResponseAsync);

        Assert.Equal(order.OrderId, status.Detail<ResourceInfo>().ResourceName);
        var strangersOrders = await stranger.Orders.ListOrdersAsync(new ListOrdersRequest(), stranger.Call());
        Assert.Empty(strangersOrders.Orders);
    }

    [Fact]
    public async Task PlaceOrder_InvalidLines_InvalidArgumentNamesEveryField()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);

        var status = await RpcAssert.FailsWithAsync(StatusCode.InvalidArgument, () =>
            user.PlaceOrderAsync("", TestUser.Line("", 0, -5)));

        var fields = status.Detail<BadRequest>().FieldViolations.Select(v => v.Field).Order();
        Assert.Equal(["idempotency_key", "lines[0].quantity", "lines[0].sku", "lines[0].unit_price_cents"], fields);
        var listed = await user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call());
        Assert.Empty(listed.Orders);
    }

    [Fact]
    public async Task ListNotifications_MalformedPageToken_InvalidArgument()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);

        var status = await RpcAssert.FailsWithAsync(StatusCode.InvalidArgument, () =>
            user.Notifications.ListNotificationsAsync(new ListNotificationsRequest { PageToken = "not-a-token" }, user.Call()).ResponseAsync);

        Assert.Equal("page_token", Assert.Single(status.Detail<BadRequest>().FieldViolations).Field);
    }

    private static Order WithStatus(Order order, OrderStatus status)
    {
        var copy = order.Clone();
        copy.Status = status;
        return copy;
    }
}
