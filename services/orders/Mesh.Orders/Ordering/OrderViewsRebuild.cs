using Google.Protobuf;
using Google.Protobuf.Reflection;
using Mesh.Contracts.Events.V1;
using Mesh.Replay;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Rebuilds the orders views (each user's orders and their final statuses) from the order
/// service's own topics into a new generation, as the live <see cref="OrderViewProjection"/> builds them.
/// </summary>
public sealed class OrderViewsRebuild(OrderViews views, ILogger<OrderViewsRebuild> logger)
    : GenerationalViews(views.Generations, OrderViews.KeySuffixes, logger)
{
    public override string Name => "orders views";

    public override IReadOnlyList<MessageDescriptor> Events { get; } =
        [OrderPlaced.Descriptor, OrderConfirmed.Descriptor, OrderRejected.Descriptor, OrderCancelled.Descriptor];

    protected override Task ApplyAsync(long generation, IMessage @event) => @event switch
    {
        OrderPlaced placed when placed.UserId.Length > 0 && placed.OrderId.Length > 0 => views.ProjectAsync(generation, placed),
        OrderPlaced => Task.CompletedTask,
        _ when OrderOutcome.Of(@event) is { UserId.Length: > 0, OrderId.Length: > 0 } => views.ProjectOutcomeAsync(generation, @event),
        _ => Task.CompletedTask,
    };
}
