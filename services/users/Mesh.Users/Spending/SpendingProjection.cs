using Mesh.Contracts.Events.V1;
using Mesh.Messaging;

namespace Mesh.Users.Spending;

/// <summary>
/// Builds spend and the leaderboard from the user service's own CreditReserved topic (not from the
/// decision as it is taken), so the views are exactly what a replay of the log would build.
/// </summary>
public sealed class SpendingProjection(SpendingViews views) : IEventHandler<CreditReserved>
{
    public Task HandleAsync(CreditReserved @event, EventMetadata metadata, CancellationToken cancellationToken) =>
        views.ApplyAsync(@event);
}
