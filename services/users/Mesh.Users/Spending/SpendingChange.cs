using Google.Protobuf;
using Mesh.Contracts.Events.V1;

namespace Mesh.Users.Spending;

/// <summary>
/// What one credit event does to spend: a reservation adds its amount, a release takes it back.
/// <see cref="Id"/> names the change (at most one of each kind per order), so it counts once;
/// <see cref="At"/> is the event's time (null if it has none), which bounds how long the count is kept.
/// </summary>
public sealed record SpendingChange(string Id, string UserId, long AmountCents, DateTimeOffset? At)
{
    public static SpendingChange Of(CreditReserved reserved) =>
        new($"reserved:{reserved.OrderId}", reserved.UserId, reserved.AmountCents, reserved.OccurredAt?.ToDateTimeOffset());

    public static SpendingChange Of(CreditReleased released) =>
        new($"released:{released.OrderId}", released.UserId, -released.AmountCents, released.OccurredAt?.ToDateTimeOffset());

    /// <summary>The change a credit event makes; null for any other message.</summary>
    public static SpendingChange? Of(IMessage @event) => @event switch
    {
        CreditReserved reserved => Of(reserved),
        CreditReleased released => Of(released),
        _ => null,
    };
}
