using Mesh.Contracts.Events.V1;
using Mesh.Messaging;

namespace Mesh.Bench.Events;

/// <summary>Does nothing but tell the probe that the library called it, and when.</summary>
public sealed class BenchHandler(HandlerProbe probe) : IEventHandler<OrderPlaced>
{
    public Task HandleAsync(OrderPlaced @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        probe.Handled(@event);
        return Task.CompletedTask;
    }
}
