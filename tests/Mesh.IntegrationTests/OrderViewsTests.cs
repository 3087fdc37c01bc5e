using Mesh.Contracts.V1;
using Mesh.Orders.Ordering;
using Mesh.Testing;
using static Mesh.IntegrationTests.OrderDecisionsTests;

namespace Mesh.IntegrationTests;

public sealed class OrderViewsTests(RedisServerFixture redis) : RedisTestBase(redis)
{
    [Fact]
    public async Task ProjectOutcome_BeforeOrderPlaced_FinalStatusWinsWhenThePlacementArrives()
    {
        var views = new OrderStores(Redis).Views;
        await views.ProjectOutcomeAsync(Confirmed("ord_1", "evt_c"));
        Assert.Null(await views.FindAsync("usr_1", "ord_1"));

        await views.ProjectAsync(Placed("k", "ord_1", Now));
        await views.ProjectAsync(Placed("k", "ord_1", Now));

        Assert.Equal(OrderStatus.Confirmed, (await views.FindAsync("usr_1", "ord_1"))!.Status);
        var (orders, _) = await views.PageAsync("usr_1", 0, 10);
        Assert.Equal(OrderStatus.Confirmed, Assert.Single(orders).Status);
    }

    [Fact]
    public async Task ProjectOutcome_AfterOrderPlacedAndAgain_FirstFinalStatusStaysWithItsReason()
    {
        var views = new OrderStores(Redis).Views;
        await views.ProjectAsync(Placed("k", "ord_1", Now));
        Assert.Equal(OrderStatus.Pending, (await views.FindAsync("usr_1", "ord_1"))!.Status);

        await views.ProjectOutcomeAsync(Rejected("ord_1", "evt_r"));
        await views.ProjectOutcomeAsync(Confirmed("ord_1", "evt_c"));
        await views.ProjectOutcomeAsync(Cancellations("ord_1").WhilePending);
        await views.ProjectAsync(Placed("k", "ord_1", Now));

        var order = (await views.FindAsync("usr_1", "ord_1"))!;
        Assert.Equal(OrderStatus.Rejected, order.Status);
        Assert.Equal("insufficient credit", order.StatusReason);
    }

    [Fact]
    public async Task ProjectOutcome_CancellationAfterConfirmationOrBefore_CancelledWins()
    {
        var views = new OrderStores(Redis).Views;
        await views.ProjectAsync(Placed("k1", "ord_1", Now));
        await views.ProjectAsync(Placed("k2", "ord_2", Now));

        await views.ProjectOutcomeAsync(Confirmed("ord_1", "evt_c1"));
        await views.ProjectOutcomeAsync(Cancellations("ord_1").AfterConfirmation);
        await views.ProjectOutcomeAsync(Cancellations("ord_2").AfterConfirmation);
        await views.ProjectOutcomeAsync(Confirmed("ord_2", "evt_c2"));

        Assert.Equal(OrderStatus.Cancelled, (await views.FindAsync("usr_1", "ord_1"))!.Status);
        Assert.Equal(OrderStatus.Cancelled, (await views.FindAsync("usr_1", "ord_2"))!.Status);
    }

    [Fact]
    public async Task ProjectOutcome_TimedOut_ShowsTheReasonCode()
    {
        var views = new OrderStores(Redis).Views;
        await views.ProjectAsync(Placed("k", "ord_1", Now));

        await views.ProjectOutcomeAsync(OrderMapper.ToTimedOut("usr_1", "ord_1", 100, TimeSpan.FromMinutes(5), Now));

        var order = (await views.FindAsync("usr_1", "ord_1"))!;
        Assert.Equal((OrderStatus.Rejected, "timed_out"), (order.Status, order.StatusReason));
    }

    [Fact]
    public async Task Page_MixedStatuses_NewestFirstEachWithItsOwnStatus()
    {
        var views = new OrderStores(Redis).Views;
        for (var i = 1; i <= 3; i++)
        {
            await views.ProjectAsync(Placed($"k{i}", $"ord_{i}", Now.AddSeconds(i)));
        }

        await views.ProjectOutcomeAsync(Confirmed("ord_1", "evt_c"));
        await views.ProjectOutcomeAsync(Rejected("ord_3", "evt_r"));

        var (first, more) = await views.PageAsync("usr_1", 0, 2);
        var (rest, none) = await views.PageAsync("usr_1", 2, 2);

        Assert.Equal([("ord_3", OrderStatus.Rejected), ("ord_2", OrderStatus.Pending)], first.Select(o => (o.OrderId, o.Status)));
        Assert.True(more);
        Assert.Equal([("ord_1", OrderStatus.Confirmed)], rest.Select(o => (o.OrderId, o.Status)));
        Assert.False(none);
    }

    [Fact]
    public async Task Project_OrdersOlderThanTheHistoryRetention_LeaveTheViewWithTheirStatus()
    {
        var stores = new OrderStores(Redis);
        await stores.Views.ProjectAsync(Placed("k1", "ord_old", stores.Clock.GetUtcNow()));
        await stores.Views.ProjectOutcomeAsync(Confirmed("ord_old", "evt_c"));
        stores.Clock.Advance(stores.Options.HistoryRetention + TimeSpan.FromMinutes(1));

        await stores.Views.ProjectAsync(Placed("k2", "ord_new", stores.Clock.GetUtcNow()));

        Assert.Null(await stores.Views.FindAsync("usr_1", "ord_old"));
        Assert.Equal(["ord_new"], (await stores.Views.PageAsync("usr_1", 0, 10)).Orders.Select(o => o.OrderId));
        Assert.False(await Redis.GetDatabase().HashExistsAsync("orders:{usr_1}:status", "ord_old"));
    }

    [Fact]
    public async Task Project_WhileARebuildRuns_WritesBothGenerationsAndReadsTheLiveOneUntilTheSwitch()
    {
        var stores = new OrderStores(Redis);
        var views = stores.Views;
        var (running, rebuild) = await views.Generations.BeginAsync("rb_1", TimeSpan.FromMinutes(1));
        Assert.Null(running);

        await views.ProjectAsync(Placed("k", "ord_1", Now));
        await views.ProjectOutcomeAsync(Confirmed("ord_1", "evt_c"));
        await views.ProjectAsync(rebuild, Placed("k0", "ord_0", Now));

        Assert.Null(await views.FindAsync("usr_1", "ord_0"));
        var switched = await views.Generations.SwitchAsync("rb_1", Now);

        Assert.Equal((rebuild, 0L), switched);
        // Readers reuse what they read for a moment (ViewGenerations.CacheFor), then see the switch.
        Assert.Null(await views.FindAsync("usr_1", "ord_0"));
        stores.Clock.Advance(views.Generations.CacheFor);
        Assert.Equal(["ord_0", "ord_1"], (await views.PageAsync("usr_1", 0, 10)).Orders.Select(o => o.OrderId).Order());
        Assert.Equal(OrderStatus.Confirmed, (await views.FindAsync("usr_1", "ord_1"))!.Status);
        Assert.Equal(3, await views.Generations.DropAsync(0, OrderViews.KeySuffixes, CancellationToken.None));
        Assert.Equal(2, (await views.PageAsync("usr_1", 0, 10)).Orders.Count);
    }

    private static DateTimeOffset Now => new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
}
