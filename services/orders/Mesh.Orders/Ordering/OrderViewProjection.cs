using Mesh.Contracts.Events.V1;
using Mesh.Messaging;

namespace Mesh.Orders.Ordering;

/// <summary>Builds the orders view from the log, so an order published before a crash still appears.</summary>
public sealed class OrderPlacedProjection(OrderStore store) : IEventHandler<OrderPlaced>
{
    public Task HandleAsync(OrderPlaced @event, EventMetadata metadata, CancellationToken cancellationToken) =>
        store.ProjectAsync(@event);
}
