using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Events.V1;

namespace Mesh.Users.Credit;

/// <summary>
/// What the user service answers to an OrderPlaced, from the user's limit and what is reserved
/// already. Pure, so the rule is testable without Redis; the caller supplies the state it read
/// under the user's credit lock and records the answer in one fenced script.
/// </summary>
public static class CreditDecision
{
    /// <param name="limitCents">The user's credit limit, or null when the user is unknown.</param>
    /// <param name="reservedCents">Credit reserved for the user's earlier orders.</param>
    public static IMessage Decide(OrderPlaced placed, long? limitCents, long reservedCents, DateTimeOffset now)
    {
        var occurredAt = Timestamp.FromDateTimeOffset(now);
        var eventId = $"evt_{Guid.CreateVersion7():N}";
        if (limitCents is not { } limit)
        {
            return Rejected(placed, eventId, occurredAt, 0, 0, $"unknown user '{placed.UserId}'");
        }

        var available = Math.Max(0, limit - reservedCents);
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
