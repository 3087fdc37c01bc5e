using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;

namespace Mesh.EndToEndTests;

[Collection(MeshCollection.Name)]
public sealed class OrderSagaTests(MeshFixture mesh)
{
    private static readonly TimeSpan SagaTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PlaceOrder_TenConcurrentWithCreditForThree_ThreeConfirmedSevenRejectedOneNotificationEach()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        // Subscribed through the other gateway instance: the notification must reach it wherever it was made.
        await using var stream = await NotificationStream.OpenAsync(user.On(mesh.SecondGateway));

        var placed = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            user.PlaceOrderAsync($"saga-{i}", TestUser.Line(TestCatalog.Third))));

        Assert.All(placed, o => Assert.Equal(OrderStatus.Pending, o.Status));
        var orderIds = placed.Select(o => o.OrderId).Order().ToList();
        Assert.Equal(10, orderIds.Distinct().Count());

        var listed = await Eventually.ReadAsync(
            async () => (await user.Orders.ListOrdersAsync(new ListOrdersRequest { PageSize = 50 }, user.Call())).Orders.ToList(),
            orders => orders.Count == 10 && orders.All(o => o.Status != OrderStatus.Pending),
            SagaTimeout);
        Assert.Equal(orderIds, listed.Select(o => o.OrderId).Order());
        Assert.Equal(3, listed.Count(o => o.Status == OrderStatus.Confirmed));
        Assert.Equal(7, listed.Count(o => o.Status == OrderStatus.Rejected));
        foreach (var order in listed)
        {
            var fetched = await user.Orders.GetOrderAsync(new GetOrderRequest { OrderId = order.OrderId }, user.Call());
            Assert.Equal(order.Status, fetched.Status);
        }

        var expectedKinds = listed
            .Select(o => (o.OrderId, Kind: o.Status == OrderStatus.Confirmed ? "order.confirmed" : "order.rejected"))
            .OrderBy(n => n.OrderId)
            .ToList();
        var streamed = await stream.ReceiveAsync(10, SagaTimeout, quiet: TimeSpan.FromSeconds(3));
        Assert.Equal(expectedKinds, streamed.Select(n => (n.OrderId, n.Kind)).OrderBy(n => n.OrderId));
        var stored = await user.Notifications.ListNotificationsAsync(new ListNotificationsRequest { PageSize = 50 }, user.Call());
        Assert.Equal(expectedKinds, stored.Notifications.Select(n => (n.OrderId, n.Kind)).OrderBy(n => n.OrderId));
        Assert.All(stored.Notifications.Where(n => n.Kind == "order.rejected"), n => Assert.Contains("rejected", n.Text, StringComparison.Ordinal));
    }
}
