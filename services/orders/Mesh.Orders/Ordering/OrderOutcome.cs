using Google.Protobuf;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;

namespace Mesh.Orders.Ordering;

/// <summary>What an OrderConfirmed, OrderRejected or OrderCancelled says about its order, whichever it is.</summary>
public readonly record struct OrderOutcome(string UserId, string OrderId, OrderStatus Status, string Reason)
{
    public static OrderOutcome Of(IMessage outcome) => outcome switch
    {
        OrderConfirmed confirmed => new(confirmed.UserId, confirmed.OrderId, OrderStatus.Confirmed, ""),
        OrderRejected rejected => new(rejected.UserId, rejected.OrderId, OrderStatus.Rejected,
            rejected.ReasonCode == OrderMapper.TimedOut ? OrderMapper.TimedOut : rejected.Reason),
        OrderCancelled cancelled => new(cancelled.UserId, cancelled.OrderId, OrderStatus.Cancelled, "cancelled by the user"),
        _ => throw new ArgumentException($"{outcome.Descriptor.FullName} is not an order outcome.", nameof(outcome)),
    };
}
