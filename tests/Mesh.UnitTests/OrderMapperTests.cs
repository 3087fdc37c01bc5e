using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Orders.Ordering;

namespace Mesh.UnitTests;

public sealed class OrderMapperTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void ToConfirmed_CreditReserved_KeysTheOrderAndPointsAtTheCreditEvent()
    {
        var reserved = new CreditReserved { EventId = "evt_credit", UserId = "usr_1", OrderId = "ord_1", AmountCents = 700 };

        var confirmed = OrderMapper.ToConfirmed(reserved, Now);

        Assert.Equal(("ord_1", "usr_1", 700L, "evt_credit"), (confirmed.OrderId, confirmed.UserId, confirmed.TotalCents, confirmed.CausationId));
        Assert.StartsWith("evt_", confirmed.EventId, StringComparison.Ordinal);
        Assert.NotEqual(reserved.EventId, confirmed.EventId);
        Assert.Equal(Now, confirmed.OccurredAt.ToDateTimeOffset());
    }

    [Fact]
    public void ToRejected_CreditRejected_CarriesTheReasonForTheUser()
    {
        var refused = new CreditRejected
        {
            EventId = "evt_credit", UserId = "usr_1", OrderId = "ord_1", AmountCents = 700, Reason = "insufficient credit",
        };

        var rejected = OrderMapper.ToRejected(refused, Now);

        Assert.Equal(("ord_1", "usr_1", 700L, "evt_credit"), (rejected.OrderId, rejected.UserId, rejected.TotalCents, rejected.CausationId));
        Assert.Equal("insufficient credit", rejected.Reason);
    }

    [Fact]
    public void ToConfirmed_TwoCalls_NewEventIdEachTime()
    {
        var reserved = new CreditReserved { EventId = "evt_credit", UserId = "usr_1", OrderId = "ord_1" };

        // Why the outcome is recorded before publishing: deciding again would mint another id.
        Assert.NotEqual(OrderMapper.ToConfirmed(reserved, Now).EventId, OrderMapper.ToConfirmed(reserved, Now).EventId);
    }

    [Fact]
    public void OrderOutcomeOf_EachOutcomeAndAnythingElse_StatusOrArgumentException()
    {
        Assert.Equal(
            new OrderOutcome("usr_1", "ord_1", OrderStatus.Confirmed, ""),
            OrderOutcome.Of(new OrderConfirmed { UserId = "usr_1", OrderId = "ord_1" }));
        Assert.Equal(
            new OrderOutcome("usr_2", "ord_2", OrderStatus.Rejected, "insufficient credit"),
            OrderOutcome.Of(new OrderRejected { UserId = "usr_2", OrderId = "ord_2", Reason = "insufficient credit", ReasonCode = "credit_rejected" }));
        Assert.Equal(
            new OrderOutcome("usr_2", "ord_4", OrderStatus.Rejected, "timed_out"),
            OrderOutcome.Of(OrderMapper.ToTimedOut("usr_2", "ord_4", 100, TimeSpan.FromMinutes(5), Now)));
        Assert.Equal(
            OrderStatus.Cancelled,
            OrderOutcome.Of(new OrderCancelled { UserId = "usr_2", OrderId = "ord_5" }).Status);
        Assert.Throws<ArgumentException>(() => OrderOutcome.Of(new OrderPlaced { OrderId = "ord_3" }));
    }
}
