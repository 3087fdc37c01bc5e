using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Events.V1;
using Mesh.Locks;
using Mesh.Messaging;
using Mesh.ServiceDefaults.Events;

namespace Mesh.Users.Credit;

/// <summary>
/// The compensating step of the order saga: when an order ends without being paid for (OrderCancelled,
/// or OrderRejected because it timed out), the credit reserved for it is given back, once
/// (CreditReleased). Whichever comes first is handled: a reservation already taken is released;
/// an order not decided yet is recorded as ended, so that its OrderPlaced, when it comes, is
/// rejected and reserves nothing (the reservation's compare-and-set sees the end). Record, then
/// publish, under the user's credit lock; a redelivery republishes the recorded release.
/// </summary>
public sealed partial class CreditReleaseHandler(
    CreditStore credit,
    ILockManager locks,
    IEventPublisher publisher,
    EventWindow window,
    TimeProvider clock,
    ILogger<CreditReleaseHandler> logger) : IEventHandler<OrderCancelled>, IEventHandler<OrderRejected>
{
    /// <summary>OrderRejected.reason_code of a rejection the user service itself decided: nothing was reserved.</summary>
    private const string CreditRejectedCode = "credit_rejected";

    public Task HandleAsync(OrderCancelled cancelled, EventMetadata metadata, CancellationToken cancellationToken) =>
        EndAsync(cancelled, cancelled.UserId, cancelled.OrderId, cancelled.EventId, cancelled.OccurredAt,
            CreditDecision.ReleasedBecauseCancelled, cancellationToken);

    public Task HandleAsync(OrderRejected rejected, EventMetadata metadata, CancellationToken cancellationToken) =>
        rejected.ReasonCode == CreditRejectedCode
            ? Task.CompletedTask
            : EndAsync(rejected, rejected.UserId, rejected.OrderId, rejected.EventId, rejected.OccurredAt,
                CreditDecision.ReleasedBecauseTimedOut, cancellationToken);

    private async Task EndAsync(
        IMessage end, string userId, string orderId, string causeId, Timestamp occurredAt, string reason, CancellationToken cancellationToken)
    {
        EventGuard.RequireIds(end, userId, orderId);
        if (window.IsTooLate(end.Descriptor.Name, causeId, occurredAt))
        {
            return;
        }

        if (await ReleaseAsync(userId, orderId, causeId, reason, cancellationToken) is { } release)
        {
            // Outside the lock: recorded, so a failure here only means the retry republishes it.
            await publisher.PublishAsync(release, cancellationToken);
            LogReleased(orderId, userId, release.AmountCents, reason);
        }
    }

    /// <summary>The release to publish, or null when nothing was reserved for the order.</summary>
    private async Task<CreditReleased?> ReleaseAsync(string userId, string orderId, string causeId, string reason, CancellationToken cancellationToken)
    {
        var recorded = await credit.FindAsync(userId, orderId);
        if (recorded.Release is { } earlier)
        {
            return earlier;
        }

        if (recorded.Decision is CreditRejected || recorded.EndedAs is not null)
        {
            return null;
        }

        await using var held = await locks.TryAcquireAsync(CreditLock.Resource(userId), CreditLock.Owner, cancellationToken)
            ?? throw new CreditLockException($"The credit lock of {userId} stayed held by others; the release will be retried.");
        using var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.LockLost);

        recorded = await credit.FindAsync(userId, orderId);
        CreditRecord record;
        if (recorded.Release is { } released)
        {
            return released;
        }

        if (recorded.Reservation is { } reservation)
        {
            var reserved = await credit.ReservedAsync(userId);
            var release = CreditDecision.Release(reservation, reserved, reason, causeId, clock.GetUtcNow());
            record = await credit.ReleaseAsync(reservation, reserved, release, held.FencingToken, work.Token);
        }
        else if (recorded.Decision is null)
        {
            record = await credit.EndAsync(userId, orderId, reason, held.FencingToken, work.Token);
        }
        else
        {
            return null;
        }

        return record.Outcome switch
        {
            CreditRecordOutcome.Recorded => record.Decision as CreditReleased,
            CreditRecordOutcome.Fenced => throw new CreditLockException($"The credit lock of {userId} expired before the release was recorded; retrying."),
            _ => throw new CreditLockException($"The credit of {userId} changed under its lock; retrying."),
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {AmountCents} cents of order {OrderId} for {UserId}: {Reason}")]
    private partial void LogReleased(string orderId, string userId, long amountCents, string reason);
}
