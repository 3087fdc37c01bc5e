using Google.Protobuf;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Turns the users service's credit decision into the order's final state (design "record, then
/// publish"): the outcome is recorded in Redis with its event first (the first one recorded for the
/// order wins), then that recorded event is published, and only then does the handler return, which
/// lets the library commit the credit event. A crash or a failed publish in between leaves the
/// credit event uncommitted; its redelivery finds the record and republishes the identical event,
/// same event id, so the outcome is neither lost nor doubled.
/// </summary>
public sealed partial class CreditOutcomeHandler(
    OrderStore store, IEventPublisher publisher, TimeProvider clock, ILogger<CreditOutcomeHandler> logger)
    : IEventHandler<CreditReserved>, IEventHandler<CreditRejected>
{
    public Task HandleAsync(CreditReserved @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        EventGuard.RequireIds(@event, @event.UserId, @event.OrderId);
        return DecideAsync(OrderMapper.ToConfirmed(@event, clock.GetUtcNow()), cancellationToken);
    }

    public Task HandleAsync(CreditRejected @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        EventGuard.RequireIds(@event, @event.UserId, @event.OrderId);
        return DecideAsync(OrderMapper.ToRejected(@event, clock.GetUtcNow()), cancellationToken);
    }

    private async Task DecideAsync(IMessage candidate, CancellationToken cancellationToken)
    {
        var recorded = await store.RecordOutcomeAsync(candidate, cancellationToken);
        // A failure throws: the library retries the credit event, and every retry republishes `recorded`.
        await publisher.PublishAsync(recorded, cancellationToken);
        // Eagerly, for whoever reads the order next; the projection of the outcome topic does the same.
        await store.ProjectOutcomeAsync(recorded);
        var outcome = OrderOutcome.Of(recorded);
        LogDecided(outcome.OrderId, outcome.UserId, outcome.Status.ToString());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} of {UserId} is {Status}")]
    private partial void LogDecided(string orderId, string userId, string status);
}
