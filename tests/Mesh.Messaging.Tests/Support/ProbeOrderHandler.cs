using Mesh.Contracts.Events.V1;

namespace Mesh.Messaging.Tests.Support;

public sealed class ProbeOrderHandler(OrderHandlerProbe probe) : IEventHandler<OrderPlaced>
{
    public Task HandleAsync(OrderPlaced @event, EventMetadata metadata, CancellationToken cancellationToken) =>
        probe.HandleAsync(@event, metadata);
}
