using Google.Protobuf;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging;
using Mesh.ServiceDefaults.Events;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Turns the users service's credit decision into the order's outcome (design "record, then
/// publish"): the outcome is recorded in Redis with its event first (the first one recorded for the
/// order wins, a cancellation or a timeout included), then what was recorded is published, and only
/// then does the handler return, which lets the library commit the credit event. A crash or a failed
/// publish in between leaves the credit event uncommitted; its redelivery finds the record and
/// republishes the identical events, so the outcome is neither lost nor doubled. A credit event that
/// comes after the order settled otherwise changes nothing here: the user service releases the
/// credit itself when it sees the order's end (CreditReleased).
/// </summary>
public sealed partial class CreditOutcomeHandler(
    OrderDecisions decisions,
    OrderSettler settler,
    SettlementQueue queue,
    EventWindow window,
    TimeProvider clock,
    ILogger<CreditOutcomeHandler> logger)
    : IEventHandler<CreditReserved>, IEventHandler<CreditRejected>
{
    public Task HandleAsync(CreditReserved @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        EventGuard.RequireIds(@event, @event.UserId, @event.OrderId);
        return window.IsTooLate(CreditReserved.Descriptor.Name, @event.EventId, @event.OccurredAt)
            ? Task.CompletedTask
            : DecideAsync(OrderMapper.ToConfirmed(@event, clock.GetUtcNow()), cancellationToken);
    }

    public Task HandleAsync(CreditRejected @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        EventGuard.RequireIds(@event, @event.UserId, @event.OrderId);
        return window.IsTooLate(CreditRejected.Descriptor.Name, @event.EventId, @event.OccurredAt)
            ? Task.CompletedTask
            : DecideAsync(OrderMapper.ToRejected(@event, clock.GetUtcNow()), cancellationToken);
    }

    private async Task DecideAsync(IMessage candidate, CancellationToken cancellationToken)
    {
        var settlement = await decisions.SettleAsync(candidate, cancellationToken);
        // A failure throws: the library retries the credit event, and every retry republishes these.
        await settler.PublishAsync(settlement.Events, cancellationToken);
        var (userId, orderId, status, _) = settlement.Final;
        await queue.RemoveAsync(SettlementTask.Deadline(userId, orderId));
        if (settlement.Cancellation is not null)
        {
            await queue.RemoveAsync(SettlementTask.Cancellation(userId, orderId));
        }

        LogDecided(orderId, userId, status.ToString());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} of {UserId} is {Status}")]
    private partial void LogDecided(string orderId, string userId, string status);
}
