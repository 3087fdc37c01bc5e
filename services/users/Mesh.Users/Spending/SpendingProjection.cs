using Mesh.Contracts.Events.V1;
using Mesh.Messaging;
using Mesh.ServiceDefaults.Events;

namespace Mesh.Users.Spending;

/// <summary>
/// Builds spend and the leaderboard from the user service's own CreditReserved and CreditReleased
/// topics (not from the decision as it is taken), so the views are exactly what a replay of the log
/// would build. An event older than the redelivery horizon is skipped: its count may have expired.
/// </summary>
public sealed class SpendingProjection(SpendingViews views, EventWindow window)
    : IEventHandler<CreditReserved>, IEventHandler<CreditReleased>
{
    public Task HandleAsync(CreditReserved @event, EventMetadata metadata, CancellationToken cancellationToken) =>
        window.IsTooLate(CreditReserved.Descriptor.Name, @event.EventId, @event.OccurredAt)
            ? Task.CompletedTask
            : views.ApplyAsync(SpendingChange.Of(@event));

    public Task HandleAsync(CreditReleased @event, EventMetadata metadata, CancellationToken cancellationToken) =>
        window.IsTooLate(CreditReleased.Descriptor.Name, @event.EventId, @event.OccurredAt)
            ? Task.CompletedTask
            : views.ApplyAsync(SpendingChange.Of(@event));
}
