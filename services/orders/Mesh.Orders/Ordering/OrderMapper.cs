using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;

namespace Mesh.Orders.Ordering;

/// <summary>Between the public Order, the OrderPlaced event and the command.</summary>
internal static class OrderMapper
{
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
}
