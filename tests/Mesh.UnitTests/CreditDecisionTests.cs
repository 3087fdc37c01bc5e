using Mesh.Contracts.Events.V1;
using Mesh.Users.Credit;

namespace Mesh.UnitTests;

public sealed class CreditDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Decide_AmountExactlyAvailable_ReservedWithTheNewTotal()
    {
        var decision = Assert.IsType<CreditReserved>(CreditDecision.Decide(Placed(400), limitCents: 1_000, reservedCents: 600, endedAs: null, Now));

        Assert.Equal(1_000, decision.ReservedTotalCents);
        Assert.Equal(1_000, decision.CreditLimitCents);
        Assert.Equal(400, decision.AmountCents);
        Assert.Equal("evt_placed", decision.CausationId);
        Assert.Equal("usr_1", decision.UserId);
        Assert.Equal("ord_1", decision.OrderId);
        Assert.StartsWith("evt_", decision.EventId, StringComparison.Ordinal);
        Assert.Equal(1_000, CreditDecision.ReservedAfter(decision, 600));
    }

    [Fact]
    public void Decide_OneCentOverAvailable_RejectedWithTheNumbers()
    {
        var decision = Assert.IsType<CreditRejected>(CreditDecision.Decide(Placed(401), limitCents: 1_000, reservedCents: 600, endedAs: null, Now));

        Assert.Equal("insufficient credit: 400 cents available, 401 needed", decision.Reason);
        Assert.Equal(400, decision.AvailableCents);
        Assert.Equal(1_000, decision.CreditLimitCents);
        Assert.Equal("evt_placed", decision.CausationId);
        Assert.Equal(600, CreditDecision.ReservedAfter(decision, 600));
    }

    [Fact]
    public void Decide_OrderEndedBeforeItsCredit_RejectedAndNothingReserved()
    {
        var decision = Assert.IsType<CreditRejected>(
            CreditDecision.Decide(Placed(100), limitCents: 1_000, reservedCents: 0, endedAs: CreditDecision.ReleasedBecauseTimedOut, Now));

        Assert.Contains("order_timed_out", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(0, CreditDecision.ReservedAfter(decision, 0));
    }

    [Fact]
    public void Release_Reservation_GivesTheAmountBackNeverBelowZero()
    {
        var reservation = new CreditReserved { UserId = "usr_1", OrderId = "ord_1", AmountCents = 400, EventId = "evt_r" };

        var release = CreditDecision.Release(reservation, reservedCents: 1_000, CreditDecision.ReleasedBecauseCancelled, "evt_cancel", Now);
        var odd = CreditDecision.Release(reservation, reservedCents: 100, CreditDecision.ReleasedBecauseCancelled, "evt_cancel", Now);

        Assert.Equal(400, release.AmountCents);
        Assert.Equal(600, release.ReservedTotalCents);
        Assert.Equal("order_cancelled", release.Reason);
        Assert.Equal("evt_cancel", release.CausationId);
        Assert.Equal(0, odd.ReservedTotalCents);
    }

    [Fact]
    public void Decide_UnknownUser_Rejected()
    {
        var decision = Assert.IsType<CreditRejected>(CreditDecision.Decide(Placed(1), limitCents: null, reservedCents: 0, endedAs: null, Now));

        Assert.Equal("unknown user 'usr_1'", decision.Reason);
    }

    [Fact]
    public void Decide_NegativeAmount_RejectedNotCredited()
    {
        var decision = Assert.IsType<CreditRejected>(CreditDecision.Decide(Placed(-5), limitCents: 1_000, reservedCents: 0, endedAs: null, Now));

        Assert.Equal("invalid amount: -5 cents", decision.Reason);
    }

    [Fact]
    public void Decide_ReservedAboveALoweredLimit_AvailableIsZeroNotNegative()
    {
        var decision = Assert.IsType<CreditRejected>(CreditDecision.Decide(Placed(1), limitCents: 500, reservedCents: 800, endedAs: null, Now));

        Assert.Equal(0, decision.AvailableCents);
    }

    private static OrderPlaced Placed(long cents) => new()
    {
        EventId = "evt_placed", OrderId = "ord_1", UserId = "usr_1", TotalCents = cents,
    };
}
