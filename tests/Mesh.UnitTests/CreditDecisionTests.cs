using Mesh.Contracts.Events.V1;
using Mesh.Users.Credit;

namespace Mesh.UnitTests;

public sealed class CreditDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Decide_AmountExactlyAvailable_ReservedWithTheNewTotal()
    {
        var decision = Assert.IsType<CreditReserved>(CreditDecision.Decide(Placed(400), limitCents: 1_000, reservedCents: 600, Now));

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
        var decision = Assert.IsType<CreditRejected>(CreditDecision.Decide(Placed(401), limitCents: 1_000, reservedCents: 600, Now));

        Assert.Equal("insufficient credit: 400 cents available, 401 needed", decision.Reason);
        Assert.Equal(400, decision.AvailableCents);
        Assert.Equal(1_000, decision.CreditLimitCents);
        Assert.Equal("evt_placed", decision.CausationId);
        Assert.Equal(600, CreditDecision.ReservedAfter(decision, 600));
    }

    [Fact]
    public void Decide_UnknownUser_Rejected()
    {
        var decision = Assert.IsType<CreditRejected>(CreditDecision.Decide(Placed(1), limitCents: null, reservedCents: 0, Now));

        Assert.Equal("unknown user 'usr_1'", decision.Reason);
    }

    [Fact]
    public void Decide_NegativeAmount_RejectedNotCredited()
    {
        var decision = Assert.IsType<CreditRejected>(CreditDecision.Decide(Placed(-5), limitCents: 1_000, reservedCents: 0, Now));

        Assert.Equal("invalid amount: -5 cents", decision.Reason);
    }

    [Fact]
    public void Decide_ReservedAboveALoweredLimit_AvailableIsZeroNotNegative()
    {
        var decision = Assert.IsType<CreditRejected>(CreditDecision.Decide(Placed(1), limitCents: 500, reservedCents: 800, Now));

        Assert.Equal(0, decision.AvailableCents);
    }

    private static OrderPlaced Placed(long cents) => new()
    {
        EventId = "evt_placed", OrderId = "ord_1", UserId = "usr_1", TotalCents = cents,
    };
}
