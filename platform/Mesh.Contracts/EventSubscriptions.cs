using Mesh.Contracts.Events.V1;

namespace Mesh.Contracts;

/// <summary>
/// Who consumes what: each service's consumer group and the events it handles. Kafka's ACLs
/// (<see cref="KafkaAccess"/>) are derived from it, and a test keeps it equal to the handlers
/// each service registers.
/// </summary>
public static class EventSubscriptions
{
    public static IReadOnlyList<EventSubscription> All { get; } =
    [
        new("users", "mesh-users", [Of<OrderPlaced>(), Of<OrderCancelled>(), Of<OrderRejected>(), Of<CreditReserved>(), Of<CreditReleased>()]),
        new("orders", "mesh-orders",
            [Of<OrderPlaced>(), Of<OrderConfirmed>(), Of<OrderRejected>(), Of<OrderCancelled>(), Of<CreditReserved>(), Of<CreditRejected>()]),
        new("notifications", "mesh-notifications", [Of<OrderConfirmed>(), Of<OrderRejected>(), Of<OrderCancelled>()]),
    ];

    private static EventContract Of<TEvent>() where TEvent : Google.Protobuf.IMessage<TEvent>, new() => EventContracts.For<TEvent>();
}
