using Google.Protobuf;

namespace Mesh.Messaging;

/// <summary>
/// Refuses a consumed event that names no user or no order: there is nothing to key its effect by.
/// A rejection, so the consumer dead-letters it at once (no retry can cure it), where it stays for
/// someone to look at instead of being dropped or written under an empty key.
/// </summary>
public static class EventGuard
{
    /// <summary>Throws <see cref="EventRejectedException"/> when <paramref name="userId"/> or <paramref name="orderId"/> is empty.</summary>
    public static void RequireIds(IMessage @event, string userId, string orderId)
    {
        if (userId.Length == 0 || orderId.Length == 0)
        {
            throw new EventRejectedException(
                $"{@event.Descriptor.FullName} carries no user_id or no order_id; it cannot be applied to any order.");
        }
    }
}
