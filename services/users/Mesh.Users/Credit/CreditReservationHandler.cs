using Google.Protobuf;
using Mesh.Contracts.Events.V1;
using Mesh.Coordination.Locks;
using Mesh.Messaging;
using Mesh.ServiceDefaults.Events;
using Mesh.Users.Accounts;
using Microsoft.Extensions.Options;

namespace Mesh.Users.Credit;

/// <summary>
/// The user's step of the order saga: OrderPlaced → CreditReserved or CreditRejected. Record, then
/// publish, then return (docs: "no dual writes"): under the user's credit lock one fenced script
/// records the decision with the event it emits, keyed by the order; the event is published only
/// after that, and the handler returns (so the offset is committed) only after the publish. A
/// redelivered OrderPlaced finds the record and republishes the identical event; one older than the
/// redelivery horizon, whose record may have expired, is skipped. Anything that leaves the decision
/// unrecorded or unpublished throws, so the library retries the record. An order that ended before
/// its OrderPlaced came here (cancelled, timed out) is rejected, so no credit is held for it.
/// </summary>
public sealed partial class CreditReservationHandler(
    CreditStore credit,
    UserAccountStore accounts,
    ILockManager locks,
    IEventPublisher publisher,
    IOptions<CreditOptions> options,
    EventWindow window,
    TimeProvider clock,
    ILogger<CreditReservationHandler> logger) : IEventHandler<OrderPlaced>
{
    public async Task HandleAsync(OrderPlaced placed, EventMetadata metadata, CancellationToken cancellationToken)
    {
        if (window.IsTooLate(OrderPlaced.Descriptor.Name, placed.EventId, placed.OccurredAt))
        {
            return;
        }

        var decision = await DecideAsync(placed, cancellationToken);
        // Published outside the lock: the decision is recorded, so a failure here only means the
        // retry republishes it, and other orders of the user need not wait for the broker.
        await publisher.PublishAsync(decision, cancellationToken);
        LogDecided(placed.OrderId, placed.UserId, decision.Descriptor.Name);
    }

    /// <summary>
    /// The decision recorded for this OrderPlaced, taking it first if there is none yet: under the
    /// user's lock, one read of everything the decision needs, then one fenced write.
    /// </summary>
    public async Task<IMessage> DecideAsync(OrderPlaced placed, CancellationToken cancellationToken)
    {
        await using var held = await locks.TryAcquireAsync(CreditLock.Resource(placed.UserId), CreditLock.Owner, cancellationToken)
            ?? throw new CreditLockException($"The credit lock of {placed.UserId} stayed held by others; the record will be retried.");
        using var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.LockLost);

        var state = await credit.ReadAsync(placed.UserId, placed.OrderId);
        if (state.Record.Decision is { } decided)
        {
            return decided;
        }

        var limit = state.LimitCents ?? await LimitFromAccountAsync(placed.UserId);
        var candidate = CreditDecision.Decide(placed, limit, state.ReservedCents, state.Record.EndedAs, clock.GetUtcNow());
        var record = await credit.DecideAsync(
            placed.UserId, placed.OrderId, state.ReservedCents, CreditDecision.ReservedAfter(candidate, state.ReservedCents), candidate,
            held.FencingToken, work.Token, limit);
        switch (record.Outcome)
        {
            case CreditRecordOutcome.Recorded:
                return record.Decision!;
            case CreditRecordOutcome.Fenced:
                LogFenced(placed.UserId, held.FencingToken);
                throw new CreditLockException($"The credit lock of {placed.UserId} expired before the decision was recorded; retrying.");
            default:
                throw new CreditLockException($"The reserved credit of {placed.UserId} changed under its lock; retrying.");
        }
    }

    // Null for an unknown user; the decision rejects the order then.
    private async Task<long?> LimitFromAccountAsync(string userId) =>
        await accounts.FindByIdAsync(userId) is { } account ? account.CreditLimitCents ?? options.Value.DefaultCreditLimitCents : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Credit for order {OrderId} of {UserId}: {Decision}")]
    private partial void LogDecided(string orderId, string userId, string decision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Credit decision for {UserId} refused: fencing token {FencingToken} is stale")]
    private partial void LogFenced(string userId, long fencingToken);
}
