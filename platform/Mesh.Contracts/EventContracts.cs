using Google.Protobuf;
using Mesh.Contracts.Events.V1;

namespace Mesh.Contracts;

/// <summary>Every event of the mesh, with its topic and aggregate key. Tools and docs read this list.</summary>
public static class EventContracts
{
    public static IReadOnlyList<EventContract> All { get; } =
    [
        new(OrderPlaced.Descriptor, Topics.OrderPlaced, Partitions: 3, KeyField: "order_id"),
        new(OrderConfirmed.Descriptor, Topics.OrderConfirmed, Partitions: 3, KeyField: "order_id"),
        new(OrderRejected.Descriptor, Topics.OrderRejected, Partitions: 3, KeyField: "order_id"),
        new(OrderCancelled.Descriptor, Topics.OrderCancelled, Partitions: 3, KeyField: "order_id"),
        new(CreditReserved.Descriptor, Topics.CreditReserved, Partitions: 3, KeyField: "user_id"),
        new(CreditRejected.Descriptor, Topics.CreditRejected, Partitions: 3, KeyField: "user_id"),
        new(CreditReleased.Descriptor, Topics.CreditReleased, Partitions: 3, KeyField: "user_id"),
    ];

    public static EventContract For<TEvent>() where TEvent : IMessage<TEvent>, new() =>
        For(new TEvent().Descriptor.FullName);

    public static EventContract For(string messageType) =>
        All.FirstOrDefault(c => c.MessageType == messageType)
        ?? throw new ArgumentException($"No event contract for message type '{messageType}'.", nameof(messageType));
}
