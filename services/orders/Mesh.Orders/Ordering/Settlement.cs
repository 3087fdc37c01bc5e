using Google.Protobuf;
using Mesh.Contracts.Events.V1;

namespace Mesh.Orders.Ordering;

/// <summary>
/// How an order ended, as recorded: <see cref="Outcome"/> is the first of OrderConfirmed,
/// OrderRejected or OrderCancelled recorded for it, and <see cref="Cancellation"/> the
/// OrderCancelled when the order was cancelled (then also the outcome if it was still pending, or
/// after an OrderConfirmed). Each is published exactly as recorded, as often as needed.
/// </summary>
public sealed record Settlement(IMessage Outcome, OrderCancelled? Cancellation)
{
    /// <summary>The recorded events to publish, the outcome first; the cancellation once only.</summary>
    public IEnumerable<IMessage> Events =>
        Cancellation is null || Outcome.Equals(Cancellation) ? [Outcome] : [Outcome, Cancellation];

    /// <summary>The status the order ends with: cancelled if it was, else its outcome's.</summary>
    public OrderOutcome Final => OrderOutcome.Of(Cancellation ?? Outcome);
}
