using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Orders.Ordering;
using Mesh.Testing;
using Microsoft.Extensions.Options;

namespace Mesh.IntegrationTests;

public sealed class OrderStoreTests(RedisServerFixture redis) : RedisTestBase(redis)
{
    private OrderStore Store => new(Redis, Options.Create(new OrderOptions { IdempotencyRetention = TimeSpan.FromHours(1) }));

    [Fact]
    public async Task Claim_SameKeyTwice_SecondGetsTheFirstEvent()
    {
        var first = await Store.ClaimAsync(Placed("k", "ord_1"), fencingToken: 1, CancellationToken.None);
        var second = await Store.ClaimAsync(Placed("k", "ord_2"), fencingToken: 2, CancellationToken.None);

        Assert.Equal("ord_1", first!.OrderId);
        Assert.Equal("ord_1", second!.OrderId);
    }

    [Fact]
    public async Task Claim_StaleFencingToken_RefusedAndNothingWritten()
    {
        await Store.ClaimAsync(Placed("other", "ord_0"), fencingToken: 7, CancellationToken.None);
        var current = await Store.ClaimAsync(Placed("k", "ord_new"), fencingToken: 5, CancellationToken.None);

        var stale = await Store.ClaimAsync(Placed("k", "ord_late"), fencingToken: 4, CancellationToken.None);

        Assert.Equal("ord_new", current!.OrderId);
        Assert.Null(stale);
        Assert.Equal("ord_new", (await Store.ClaimAsync(Placed("k", "ord_x"), fencingToken: 5, CancellationToken.None))!.OrderId);
    }

    [Fact]
    public async Task Claim_Always_ClaimAndFenceExpireWithTheRetention()
    {
        await Store.ClaimAsync(Placed("k", "ord_1"), fencingToken: 3, CancellationToken.None);

        var db = Redis.GetDatabase();
        var claimTtl = await db.KeyTimeToLiveAsync("orders:{usr_1}:idempotency:k");
        var fenceTtl = await db.KeyTimeToLiveAsync("orders:{usr_1}:idempotency:k:fence");

        Assert.InRange(claimTtl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.InRange(fenceTtl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task RecordOutcome_AnotherCandidateLater_ReturnsTheFirstWithItsEventId()
    {
        var first = await Store.RecordOutcomeAsync(Confirmed("ord_1", "evt_first"), CancellationToken.None);
        var redelivered = await Store.RecordOutcomeAsync(Confirmed("ord_1", "evt_second"), CancellationToken.None);
        var contrary = await Store.RecordOutcomeAsync(Rejected("ord_1", "evt_third"), CancellationToken.None);

        Assert.Equal("evt_first", Assert.IsType<OrderConfirmed>(first).EventId);
        Assert.Equal(first, redelivered);
        Assert.Equal(first, contrary);
        Assert.Equal(first, await Store.FindOutcomeAsync("usr_1", "ord_1"));
        Assert.Null(await Store.FindOutcomeAsync("usr_1", "ord_2"));
    }

    [Fact]
    public async Task RecordOutcome_Rejected_KeepsTheReasonAndCausation()
    {
        var recorded = await Store.RecordOutcomeAsync(Rejected("ord_1", "evt_r"), CancellationToken.None);

        var rejected = Assert.IsType<OrderRejected>(recorded);
        Assert.Equal("insufficient credit", rejected.Reason);
        Assert.Equal("evt_credit", rejected.CausationId);
    }

    [Fact]
    public async Task ProjectOutcome_BeforeOrderPlaced_FinalStatusWinsWhenThePlacementArrives()
    {
        await Store.ProjectOutcomeAsync(Confirmed("ord_1", "evt_c"));
        Assert.Null(await Store.FindAsync("usr_1", "ord_1"));

        await Store.ProjectAsync(Placed("k", "ord_1"));
        await Store.ProjectAsync(Placed("k", "ord_1"));

        Assert.Equal(OrderStatus.Confirmed, (await Store.FindAsync("usr_1", "ord_1"))!.Status);
        var (orders, _) = await Store.PageAsync("usr_1", 0, 10);
        Assert.Equal(OrderStatus.Confirmed, Assert.Single(orders).Status);
    }

    [Fact]
    public async Task ProjectOutcome_AfterOrderPlacedAndAgain_FirstFinalStatusStays()
    {
        await Store.ProjectAsync(Placed("k", "ord_1"));
        Assert.Equal(OrderStatus.Pending, (await Store.FindAsync("usr_1", "ord_1"))!.Status);

        Assert.True(await Store.ProjectOutcomeAsync(Rejected("ord_1", "evt_r")));
        Assert.False(await Store.ProjectOutcomeAsync(Rejected("ord_1", "evt_r")));
        Assert.False(await Store.ProjectOutcomeAsync(Confirmed("ord_1", "evt_c")));
        await Store.ProjectAsync(Placed("k", "ord_1"));

        Assert.Equal(OrderStatus.Rejected, (await Store.FindAsync("usr_1", "ord_1"))!.Status);
    }

    [Fact]
    public async Task Page_MixedStatuses_NewestFirstEachWithItsOwnStatus()
    {
        for (var i = 1; i <= 3; i++)
        {
            var placed = Placed($"k{i}", $"ord_{i}");
            placed.OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(i));
            await Store.ProjectAsync(placed);
        }

        await Store.ProjectOutcomeAsync(Confirmed("ord_1", "evt_c"));
        await Store.ProjectOutcomeAsync(Rejected("ord_3", "evt_r"));

        var (first, more) = await Store.PageAsync("usr_1", 0, 2);
        var (rest, none) = await Store.PageAsync("usr_1", 2, 2);

        Assert.Equal([("ord_3", OrderStatus.Rejected), ("ord_2", OrderStatus.Pending)], first.Select(o => (o.OrderId, o.Status)));
        Assert.True(more);
        Assert.Equal([("ord_1", OrderStatus.Confirmed)], rest.Select(o => (o.OrderId, o.Status)));
        Assert.False(none);
    }

    private static OrderConfirmed Confirmed(string orderId, string eventId) => new()
    {
        EventId = eventId,
        OrderId = orderId,
        UserId = "usr_1",
        TotalCents = 100,
        CausationId = "evt_credit",
    };

    private static OrderRejected Rejected(string orderId, string eventId) => new()
    {
        EventId = eventId,
        OrderId = orderId,
        UserId = "usr_1",
        TotalCents = 100,
        Reason = "insufficient credit",
        CausationId = "evt_credit",
    };

    private static OrderPlaced Placed(string key, string orderId) => new()
    {
        EventId = $"evt_{orderId}",
        OrderId = orderId,
        UserId = "usr_1",
        IdempotencyKey = key,
        TotalCents = 100,
        OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch),
    };
}
