using Google.Protobuf;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;

namespace Mesh.Orders.Ordering;

/// <summary>What an OrderConfirmed or OrderRejected says about its order, whichever of the two it is.</summary>
public readonly record struct OrderOutcome(string UserId, string OrderId, OrderStatus Status)
{
    public static OrderOutcome Of(IMessage outcome) => outcome switch
    {
        OrderConfirmed confirmed => new(confirmed.UserId, confirmed.OrderId, OrderStatus.Confirmed),
        OrderRejected rejected => new(rejected.UserId, rejected.OrderId, OrderStatus.Rejected),
        _ => throw new ArgumentException($"{outcome.Descriptor.FullName} is not an order outcome.", nameof(outcome)),
    };
}
