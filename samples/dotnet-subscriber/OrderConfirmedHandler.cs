using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging;
using Mesh.Samples.DotnetSubscriber.V1;

namespace Mesh.Samples.DotnetSubscriber;

/// <summary>
/// Records every order the mesh confirmed. Mesh.Messaging calls it per record of
/// mesh.orders.order-confirmed, in order per order id, and commits the offset only after it returned;
/// a redelivered event (same event_id) is recorded once.
/// </summary>
public sealed class OrderConfirmedHandler(SeenOrders seen, TimeProvider time, ILogger<OrderConfirmedHandler> logger)
    : IEventHandler<OrderConfirmed>
{
    public async Task HandleAsync(OrderConfirmed @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        var record = new SeenOrder
        {
            Event = @event,
            Topic = metadata.Topic,
            Partition = metadata.Partition,
            Offset = metadata.Offset,
            ReceivedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
        };
        if (await seen.AddAsync(@event.EventId, record, cancellationToken))
        {
            logger.LogInformation("Order {OrderId} of user {UserId} confirmed ({TotalCents} cents), event {EventId}",
                @event.OrderId, @event.UserId, @event.TotalCents, @event.EventId);
        }
        else
        {
            logger.LogInformation("Event {EventId} (order {OrderId}) seen before: delivered again, recorded once", @event.EventId, @event.OrderId);
        }
    }
}
