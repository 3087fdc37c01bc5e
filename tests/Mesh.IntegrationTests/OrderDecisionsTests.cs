using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Orders.Ordering;
using Mesh.ServiceDefaults.Events;
using Mesh.Testing;

namespace Mesh.IntegrationTests;

public sealed class OrderDecisionsTests(RedisServerFixture redis) : RedisTestBase(redis)
{
    private OrderDecisions Decisions => new OrderStores(Redis).Decisions;

    [Fact]
    public async Task Claim_SameKeyConcurrently_EveryCallerGetsTheFirstClaimsEvent()
    {
        var stores = new OrderStores(Redis);
        var keys = await stores.Views.LiveKeysAsync("usr_1");

        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => stores.Decisions.ClaimAsync(Placed("k", $"ord_{i}"), keys, CancellationToken.None))));

        var winner = Assert.Single(claims.Select(c => c.Placed).Distinct());
        Assert.All(claims, c => Assert.Null(c.Existing));
        Assert.Equal(winner, (await stores.Decisions.ClaimAsync(Placed("k", "ord_late"), keys, CancellationToken.None)).Placed);
    }

    [Fact]
    public async Task Claim_AfterTheOrderWasPublishedAndProjected_ReturnsItFromTheViewWithItsStatus()
    {
        var stores = new OrderStores(Redis);
        var keys = await stores.Views.LiveKeysAsync("usr_1");
        var (placed, _) = await stores.Decisions.ClaimAsync(Placed("k", "ord_1", stores.Clock.GetUtcNow()), keys, CancellationToken.None);
        await stores.Views.ProjectAsync(placed);
        await stores.Views.ProjectOutcomeAsync(Confirmed("ord_1", "evt_c"));

        var (again, existing) = await stores.Decisions.ClaimAsync(Placed("k", "ord_2"), keys, CancellationToken.None);

        Assert.Equal(placed, again);
        Assert.Equal(("ord_1", OrderStatus.Confirmed), (existing!.OrderId, existing.Status));
    }

    [Fact]
    public async Task Claim_Always_ExpiresWithTheRetentionAndLeavesNoOtherKey()
    {
        var stores = new OrderStores(Redis);
        await stores.Decisions.ClaimAsync(Placed("k", "ord_1"), await stores.Views.LiveKeysAsync("usr_1"), CancellationToken.None);

        var db = Redis.GetDatabase();
        Assert.InRange((await db.KeyTimeToLiveAsync("orders:{usr_1}:idempotency:k"))!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.Equal(["orders:{usr_1}:idempotency:k"], Redis.GetServer(Redis.GetEndPoints()[0]).Keys(pattern: "orders:*").Select(k => (string)k!));
    }

    [Fact]
    public async Task Settle_AnotherCandidateLater_ReturnsTheFirstWithItsEventId()
    {
        var first = await Decisions.SettleAsync(Confirmed("ord_1", "evt_first"), CancellationToken.None);
        var redelivered = await Decisions.SettleAsync(Confirmed("ord_1", "evt_second"), CancellationToken.None);
        var contrary = await Decisions.SettleAsync(Rejected("ord_1", "evt_third"), CancellationToken.None);

        Assert.Equal("evt_first", Assert.IsType<OrderConfirmed>(first.Outcome).EventId);
        Assert.Equal(first, redelivered);
        Assert.Equal(first.Outcome, contrary.Outcome);
        Assert.Equal(first.Outcome, (await Decisions.FindAsync("usr_1", "ord_1"))!.Outcome);
        Assert.Null(await Decisions.FindAsync("usr_1", "ord_2"));
    }

    [Fact]
    public async Task Settle_Always_ExpiresAfterTheDecisionRetention()
    {
        await Decisions.SettleAsync(Rejected("ord_1", "evt_r"), CancellationToken.None);

        var ttl = await Redis.GetDatabase().KeyTimeToLiveAsync("orders:{usr_1}:settlement:ord_1");

        var retention = new EventRetentionOptions().DecisionRetention;
        Assert.InRange(ttl!.Value, retention - TimeSpan.FromMinutes(1), retention);
    }

    [Fact]
    public async Task Cancel_PendingOrder_TheCancellationIsTheOutcomeAndALaterCreditDecisionChangesNothing()
    {
        var (whilePending, afterConfirmation) = Cancellations("ord_1");

        var cancelled = await Decisions.CancelAsync(whilePending, afterConfirmation, CancellationToken.None);
        var late = await Decisions.SettleAsync(Confirmed("ord_1", "evt_late"), CancellationToken.None);

        Assert.False(Assert.IsType<OrderCancelled>(cancelled.Outcome).WasConfirmed);
        Assert.Equal(whilePending, cancelled.Cancellation);
        Assert.Equal([whilePending], cancelled.Events);
        Assert.Equal(whilePending, late.Outcome);
        Assert.Equal(OrderStatus.Cancelled, late.Final.Status);
    }

    [Fact]
    public async Task Cancel_ConfirmedOrderTwice_KeepsTheConfirmationAndTheFirstCancellation()
    {
        var confirmed = Confirmed("ord_1", "evt_c");
        await Decisions.SettleAsync(confirmed, CancellationToken.None);
        var (whilePending, afterConfirmation) = Cancellations("ord_1");

        var first = await Decisions.CancelAsync(whilePending, afterConfirmation, CancellationToken.None);
        var again = await Decisions.CancelAsync(Cancellations("ord_1").WhilePending, Cancellations("ord_1").AfterConfirmation, CancellationToken.None);

        Assert.Equal(confirmed, first.Outcome);
        Assert.True(first.Cancellation!.WasConfirmed);
        Assert.Equal(afterConfirmation, again.Cancellation);
        Assert.Equal([confirmed, afterConfirmation], again.Events);
        Assert.Equal(OrderStatus.Cancelled, again.Final.Status);
    }

    [Fact]
    public async Task Cancel_RejectedOrder_NoCancellationRecorded()
    {
        await Decisions.SettleAsync(Rejected("ord_1", "evt_r"), CancellationToken.None);
        var (whilePending, afterConfirmation) = Cancellations("ord_1");

        var settlement = await Decisions.CancelAsync(whilePending, afterConfirmation, CancellationToken.None);

        Assert.Null(settlement.Cancellation);
        Assert.IsType<OrderRejected>(settlement.Outcome);
        Assert.Null((await Decisions.FindAsync("usr_1", "ord_1"))!.Cancellation);
    }

    [Fact]
    public async Task Settle_TimeoutRaceWithCreditDecision_OnlyTheFirstCounts()
    {
        var timeout = OrderMapper.ToTimedOut("usr_1", "ord_1", 100, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow);

        var decisions = await Task.WhenAll(
            Enumerable.Range(0, 20).Select(i => Decisions.SettleAsync(
                i % 2 == 0 ? timeout : Confirmed("ord_1", $"evt_{i}"), CancellationToken.None)));

        Assert.Single(decisions.Select(d => d.Outcome).Distinct());
    }

    internal static (OrderCancelled WhilePending, OrderCancelled AfterConfirmation) Cancellations(string orderId)
    {
        var order = new Order { OrderId = orderId, UserId = "usr_1", TotalCents = 100 };
        return (OrderMapper.ToCancelled(order, wasConfirmed: false, DateTimeOffset.UtcNow),
            OrderMapper.ToCancelled(order, wasConfirmed: true, DateTimeOffset.UtcNow));
    }

    internal static OrderConfirmed Confirmed(string orderId, string eventId) => new()
    {
        EventId = eventId,
        OrderId = orderId,
        UserId = "usr_1",
        TotalCents = 100,
        CausationId = "evt_credit",
    };

    internal static OrderRejected Rejected(string orderId, string eventId) => new()
    {
        EventId = eventId,
        OrderId = orderId,
        UserId = "usr_1",
        TotalCents = 100,
        Reason = "insufficient credit",
        ReasonCode = OrderMapper.CreditRejectedCode,
        CausationId = "evt_credit",
    };

    internal static OrderPlaced Placed(string key, string orderId, DateTimeOffset? at = null) => new()
    {
        EventId = $"evt_{orderId}",
        OrderId = orderId,
        UserId = "usr_1",
        IdempotencyKey = key,
        TotalCents = 100,
        OccurredAt = Timestamp.FromDateTimeOffset(at ?? DateTimeOffset.UnixEpoch),
    };
}
