using Google.Protobuf;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging;
using Mesh.ServiceDefaults.Events;
using Mesh.Users.Accounts;
using Microsoft.Extensions.Options;

namespace Mesh.Users.Credit;

/// <summary>
/// The user's step of the order saga: OrderPlaced → CreditReserved or CreditRejected. Record, then
/// publish, then return (docs: "no dual writes"): one compare-and-set script records the decision
/// with the event it emits, keyed by the order; the event is published only
/// after that, and the handler returns (so the offset is committed) only after the publish. A
/// redelivered OrderPlaced finds the record and republishes the identical event; one older than the
/// redelivery horizon, whose record may have expired, is skipped. Anything that leaves the decision
/// unrecorded or unpublished throws, so the library retries the record. An order that ended before
/// its OrderPlaced came here (cancelled, timed out) is rejected, so no credit is held for it.
/// </summary>
public sealed partial class CreditReservationHandler(
    CreditStore credit,
    UserAccountStore accounts,
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
        // The decision is recorded, so a failure here only means the retry republishes it.
        await publisher.PublishAsync(decision, cancellationToken);
        LogDecided(placed.OrderId, placed.UserId, decision.Descriptor.Name);
    }

    /// <summary>
    /// The decision recorded for this OrderPlaced, taking it first if there is none yet: one read of
    /// everything the decision needs, then one write that applies only if none of it changed.
    /// </summary>
    public async Task<IMessage> DecideAsync(OrderPlaced placed, CancellationToken cancellationToken)
    {
        // Optimistic: read, decide, and record only if nothing the decision read has changed (one
        // script). Orders of one user are decided concurrently (they are keyed by order id), so a
        // record can lose to another decision or a release; then read again. No lock: it would add
        // two round trips and guard nothing the compare-and-set does not.
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var state = await credit.ReadAsync(placed.UserId, placed.OrderId);
            if (state.Record.Decision is { } decided)
            {
                return decided;
            }

            var limit = state.LimitCents ?? await LimitFromAccountAsync(placed.UserId);
            var candidate = CreditDecision.Decide(placed, limit, state.ReservedCents, state.Record.EndedAs, clock.GetUtcNow());
            var record = await credit.DecideAsync(
                placed.UserId, placed.OrderId, state.ReservedCents, CreditDecision.ReservedAfter(candidate, state.ReservedCents), candidate,
                state.Record.EndedAs, limit);
            if (record.Outcome == CreditRecordOutcome.Recorded)
            {
                return record.Decision!;
            }
        }

        throw new CreditContentionException(
            $"The credit of {placed.UserId} changed under {MaxAttempts} decisions in a row; the record will be retried.");
    }

    // Enough for every order a user can have in flight to win in turn; beyond it, the record waits
    // for the library's backoff instead of spinning on Redis.
    private const int MaxAttempts = 16;

    // Null for an unknown user; the decision rejects the order then.
    private async Task<long?> LimitFromAccountAsync(string userId) =>
        await accounts.FindByIdAsync(userId) is { } account ? account.CreditLimitCents ?? options.Value.DefaultCreditLimitCents : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Credit for order {OrderId} of {UserId}: {Decision}")]
    private partial void LogDecided(string orderId, string userId, string decision);

}
