using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;

namespace Mesh.Orders.Ordering;

/// <summary>Between the public Order, the order events, the credit events and the command.</summary>
internal static class OrderMapper
{
    /// <summary>OrderRejected.reason_code of an order the sweeper settled: no credit decision in time.</summary>
    public const string TimedOut = "timed_out";

    /// <summary>OrderRejected.reason_code of an order whose credit the user service refused.</summary>
    public const string CreditRejectedCode = "credit_rejected";

    public static OrderPlaced ToEvent(PlaceOrderCommand command, DateTimeOffset now) => new()
    {
        EventId = $"evt_{Guid.CreateVersion7():N}",
        OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now),
        OrderId = $"ord_{Guid.CreateVersion7():N}",
        UserId = command.UserId,
        IdempotencyKey = command.IdempotencyKey,
        TotalCents = command.TotalCents,
        Lines =
        {
            command.Lines.Select(l => new OrderPlacedLine
            {
                Sku = l.Sku, Quantity = l.Quantity, UnitPriceCents = l.UnitPriceCents,
            }),
        },
    };

    public static Order ToPendingOrder(OrderPlaced placed) => new()
    {
        OrderId = placed.OrderId,
        UserId = placed.UserId,
        TotalCents = placed.TotalCents,
        Status = OrderStatus.Pending,
        CreatedAt = placed.OccurredAt,
        Lines =
        {
            placed.Lines.Select(l => new OrderLine
            {
                Sku = l.Sku, Quantity = l.Quantity, UnitPriceCents = l.UnitPriceCents,
            }),
        },
    };

    /// <summary>The order is final because users reserved its credit; a new event id, fixed once recorded.</summary>
    public static OrderConfirmed ToConfirmed(CreditReserved reserved, DateTimeOffset now) => new()
    {
        EventId = $"evt_{Guid.CreateVersion7():N}",
        OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now),
        OrderId = reserved.OrderId,
        UserId = reserved.UserId,
        TotalCents = reserved.AmountCents,
        CausationId = reserved.EventId,
    };

    /// <summary>The order is final because users refused its credit; a new event id, fixed once recorded.</summary>
    public static OrderRejected ToRejected(CreditRejected rejected, DateTimeOffset now) => new()
    {
        EventId = $"evt_{Guid.CreateVersion7():N}",
        OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now),
        OrderId = rejected.OrderId,
        UserId = rejected.UserId,
        TotalCents = rejected.AmountCents,
        Reason = rejected.Reason,
        CausationId = rejected.EventId,
        ReasonCode = CreditRejectedCode,
    };

    /// <summary>The order is final because no credit decision came within <paramref name="deadline"/>.</summary>
    public static OrderRejected ToTimedOut(string userId, string orderId, long totalCents, TimeSpan deadline, DateTimeOffset now) => new()
    {
        EventId = $"evt_{Guid.CreateVersion7():N}",
        OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now),
        OrderId = orderId,
        UserId = userId,
        TotalCents = totalCents,
        Reason = $"no credit decision within {deadline}",
        ReasonCode = TimedOut,
    };

    /// <summary>The user cancelled the order; a new event id, fixed once recorded.</summary>
    public static OrderCancelled ToCancelled(Order order, bool wasConfirmed, DateTimeOffset now) => new()
    {
        EventId = $"evt_{Guid.CreateVersion7():N}",
        OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now),
        OrderId = order.OrderId,
        UserId = order.UserId,
        TotalCents = order.TotalCents,
        WasConfirmed = wasConfirmed,
    };
}
