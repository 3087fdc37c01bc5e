using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Events.V1;

namespace Mesh.Messaging.Tests.Support;

public static class Orders
{
    public static OrderPlaced Placed(string orderId, string? eventId = null) => new()
    {
        EventId = eventId ?? Guid.NewGuid().ToString("N"),
        OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        OrderId = orderId,
        UserId = "user-1",
        IdempotencyKey = Guid.NewGuid().ToString("N"),
        Lines = { new OrderPlacedLine { Sku = "sku-1", Quantity = 2, UnitPriceCents = 250 } },
        TotalCents = 500,
    };
}
