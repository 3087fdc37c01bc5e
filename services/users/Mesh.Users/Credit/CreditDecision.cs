using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Events.V1;

namespace Mesh.Users.Credit;

/// <summary>
/// What the user service answers to an OrderPlaced, from the user's limit and what is reserved
/// already. Pure, so the rule is testable without Redis; the caller supplies the state it read
/// and records the answer with a compare-and-set against that state.
/// </summary>
public static class CreditDecision
{
    /// <param name="limitCents">The user's credit limit, or null when the user is unknown.</param>
    /// <param name="reservedCents">Credit reserved for the user's earlier orders.</param>
    /// <param name="endedAs">How the order ended before its credit was decided, if it did.</param>
    public static IMessage Decide(OrderPlaced placed, long? limitCents, long reservedCents, string? endedAs, DateTimeOffset now)
    {
        var occurredAt = Timestamp.FromDateTimeOffset(now);
        var eventId = $"evt_{Guid.CreateVersion7():N}";
        if (limitCents is not { } limit)
        {
            return Rejected(placed, eventId, occurredAt, 0, 0, $"unknown user '{placed.UserId}'");
        }

        var available = Math.Max(0, limit - reservedCents);
        if (endedAs is not null)
        {
            // Reserving now would hold credit for an order no one will pay for.
            return Rejected(placed, eventId, occurredAt, limit, available, $"the order ended ({endedAs}) before its credit was decided");
        }

        if (placed.TotalCents < 0)
        {
            return Rejected(placed, eventId, occurredAt, limit, available, $"invalid amount: {placed.TotalCents} cents");
        }

        if (placed.TotalCents > available)
        {
            return Rejected(
                placed, eventId, occurredAt, limit, available,
                $"insufficient credit: {available} cents available, {placed.TotalCents} needed");
        }

        return new CreditReserved
        {
            EventId = eventId,
            OccurredAt = occurredAt,
            UserId = placed.UserId,
            OrderId = placed.OrderId,
            AmountCents = placed.TotalCents,
            CreditLimitCents = limit,
            ReservedTotalCents = reservedCents + placed.TotalCents,
            CausationId = placed.EventId,
        };
    }

    /// <summary>
    /// Gives back what <paramref name="reservation"/> reserved, because the order ended with
    /// <paramref name="reason"/> (<see cref="ReleasedBecauseCancelled"/> or <see cref="ReleasedBecauseTimedOut"/>).
    /// </summary>
    public static CreditReleased Release(
        CreditReserved reservation, long reservedCents, string reason, string causationId, DateTimeOffset now) => new()
    {
        EventId = $"evt_{Guid.CreateVersion7():N}",
        OccurredAt = Timestamp.FromDateTimeOffset(now),
        UserId = reservation.UserId,
        OrderId = reservation.OrderId,
        AmountCents = reservation.AmountCents,
        ReservedTotalCents = Math.Max(0, reservedCents - reservation.AmountCents),
        Reason = reason,
        CausationId = causationId,
    };

    public const string ReleasedBecauseCancelled = "order_cancelled";

    public const string ReleasedBecauseTimedOut = "order_timed_out";

    /// <summary>The reserved total after <paramref name="decision"/> (unchanged by a rejection).</summary>
    public static long ReservedAfter(IMessage decision, long reservedCents) =>
        decision is CreditReserved reserved ? reserved.ReservedTotalCents : reservedCents;

    private static CreditRejected Rejected(
        OrderPlaced placed, string eventId, Timestamp occurredAt, long limit, long available, string reason) => new()
    {
        EventId = eventId,
        OccurredAt = occurredAt,
        UserId = placed.UserId,
        OrderId = placed.OrderId,
        AmountCents = placed.TotalCents,
        CreditLimitCents = limit,
        AvailableCents = available,
        Reason = reason,
        CausationId = placed.EventId,
    };
}
