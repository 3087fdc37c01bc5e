using Grpc.Core;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.Internal.V1;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;
using Mesh.Identity;
using StackExchange.Redis;
using Order = Mesh.Contracts.V1.Order;

namespace Mesh.EndToEndTests;

/// <summary>
/// The orders and notifications views rebuilt from the log by their running services (what
/// <c>./mesh.sh replay orders|notifications</c> calls) while orders keep flowing: afterwards the
/// views are exactly what the log says, the generation moved, and the old generation's keys are gone.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class ViewReplayTests(MeshFixture mesh)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Rebuild_OrdersThenNotificationsWhileOrdersFlow_ViewsEqualTheLog()
    {
        var buyers = new List<TestUser>();
        for (var i = 0; i < 3; i++)
        {
            buyers.Add(await TestUser.CreateAsync(mesh.Gateway));
        }

        for (var i = 0; i < 6; i++)
        {
            await buyers[i % 3].PlaceOrderAsync($"before-{i}", TestUser.Line(TestCatalog.Cent, quantity: 10 + i));
        }

        var confirmed = await SettledOrdersAsync(buyers[0]);
        await buyers[0].Orders.CancelOrderAsync(new CancelOrderRequest { OrderId = confirmed[0].OrderId }, buyers[0].Call());
        var liveBefore = await Task.WhenAll(buyers.Select(SettledOrdersAsync));

        using var stop = new CancellationTokenSource();
        var traffic = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested && i < 40; i++)
            {
                await buyers[i % 3].PlaceOrderAsync($"during-{i}", TestUser.Line(TestCatalog.Cent, quantity: 100 + i));
                await Task.Delay(150); // Inside each buyer's quota.
            }
        });
        var orders = await RebuildAsync(mesh.OrdersAddress, Workloads.Orders);
        var notifications = await RebuildAsync(mesh.NotificationsAddress, Workloads.Notifications);
        await stop.CancelAsync();
        await traffic;

        Assert.All([orders, notifications], progress => Assert.Equal(RebuildPhase.Switched, progress[^1].Phase));
        Assert.True(orders[^1].Generation > 0);
        foreach (var (buyer, before) in buyers.Zip(liveBefore))
        {
            // The last orders placed may not have their outcome in the log yet.
            var (expected, cancelledAfterConfirmation) = await Eventually.ReadAsync(
                () => Task.FromResult(OrdersFromTheLog(buyer.UserId)), log => log.Orders.All(o => o.Status != OrderStatus.Pending), Within);
            var rebuilt = await Eventually.ReadAsync(
                () => SettledOrdersAsync(buyer), o => o.Count == expected.Count, Within);
            Assert.Equal(expected, rebuilt.Select(o => (o.OrderId, o.Status)).Order());
            // What was live before the replay is still there, unchanged.
            Assert.Subset(rebuilt.Select(o => (o.OrderId, o.Status)).ToHashSet(), before.Select(o => (o.OrderId, o.Status)).ToHashSet());

            var notified = await Eventually.ReadAsync(
                async () => (await buyer.Notifications.ListNotificationsAsync(new ListNotificationsRequest { PageSize = 100 }, buyer.Call())).Notifications.ToList(),
                n => n.Count == expected.Count + cancelledAfterConfirmation, Within);
            // One per order's end, and one more for each order cancelled after it was confirmed.
            Assert.Equal(expected.Count + cancelledAfterConfirmation, notified.Count);
            Assert.Equal(expected.Select(o => o.OrderId).Order(), notified.Select(n => n.OrderId).Distinct().Order());
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(mesh.RedisConnection);
        var userKeys = await Eventually.ReadAsync(
            () => Task.FromResult(redis.GetServers()[0].Keys(pattern: $"orders:{{{buyers[0].UserId}}}:*").Select(k => (string)k!).ToList()),
            keys => keys.All(k => !k.EndsWith(":items", StringComparison.Ordinal) || k.Contains($":g{orders[^1].Generation}:", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20));
        Assert.All(userKeys.Where(k => k.EndsWith(":items", StringComparison.Ordinal)),
            k => Assert.Contains($":g{orders[^1].Generation}:", k, StringComparison.Ordinal));
    }

    private static async Task<List<Order>> SettledOrdersAsync(TestUser buyer) =>
        await Eventually.ReadAsync(
            async () => (await buyer.Orders.ListOrdersAsync(new ListOrdersRequest { PageSize = 100 }, buyer.Call())).Orders.ToList(),
            orders => orders.All(o => o.Status != OrderStatus.Pending),
            Within);

    /// <summary>
    /// Each order of the user in the log with its final status (cancelled wins, else the first
    /// outcome), and how many were cancelled after they were confirmed.
    /// </summary>
    private (List<(string OrderId, OrderStatus Status)> Orders, int CancelledAfterConfirmation) OrdersFromTheLog(string userId)
    {
        var log = new KafkaLog(mesh.KafkaBootstrap);
        var placed = log.ReadAll(Topics.OrderPlaced).Select(r => OrderPlaced.Parser.ParseFrom(r.Message.Value))
            .Where(p => p.UserId == userId).Select(p => p.OrderId).ToHashSet();
        var status = new Dictionary<string, OrderStatus>();
        foreach (var c in log.ReadAll(Topics.OrderConfirmed).Select(r => OrderConfirmed.Parser.ParseFrom(r.Message.Value)).Where(c => c.UserId == userId))
        {
            status.TryAdd(c.OrderId, OrderStatus.Confirmed);
        }

        foreach (var r in log.ReadAll(Topics.OrderRejected).Select(r => OrderRejected.Parser.ParseFrom(r.Message.Value)).Where(r => r.UserId == userId))
        {
            status.TryAdd(r.OrderId, OrderStatus.Rejected);
        }

        var cancelled = log.ReadAll(Topics.OrderCancelled).Select(r => OrderCancelled.Parser.ParseFrom(r.Message.Value))
            .Where(c => c.UserId == userId).DistinctBy(c => c.OrderId).ToList();
        foreach (var c in cancelled)
        {
            status[c.OrderId] = OrderStatus.Cancelled;
        }

        return ([.. placed.Select(id => (id, status.GetValueOrDefault(id, OrderStatus.Pending))).Order()], cancelled.Count(c => c.WasConfirmed));
    }

    private async Task<List<RebuildProgress>> RebuildAsync(string address, string workload)
    {
        using var channel = mesh.Pki.Channel(address, Workloads.Operator);
        using var call = new Replay.ReplayClient(channel).Rebuild(new RebuildRequest(), deadline: DateTime.UtcNow.AddMinutes(2));
        var progress = new List<RebuildProgress>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            progress.Add(message);
        }

        Assert.True(progress.Count > 0, $"{workload} streamed no progress");
        return progress;
    }
}
