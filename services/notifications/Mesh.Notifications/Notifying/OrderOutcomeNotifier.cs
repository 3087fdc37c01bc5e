using System.Globalization;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Messaging;

namespace Mesh.Notifications.Notifying;

/// <summary>
/// Tells the user how their order ended: one notification per order, the end of the saga. The
/// notification id derives from the order id, so a redelivered or republished event, or even a second
/// outcome for the same order, finds the notification already there and notifies nobody twice; the
/// record and the live publish on the user's channel are one script, so a crash never leaves one
/// without the other.
/// </summary>
public sealed partial class OrderOutcomeNotifier(NotificationStore store, ILogger<OrderOutcomeNotifier> logger)
    : IEventHandler<OrderConfirmed>, IEventHandler<OrderRejected>
{
    public const string ConfirmedKind = "order.confirmed";
    public const string RejectedKind = "order.rejected";

    public Task HandleAsync(OrderConfirmed @event, EventMetadata metadata, CancellationToken cancellationToken) =>
        NotifyAsync(For(@event.UserId, @event.OrderId, @event.OccurredAt, ConfirmedKind, string.Create(
            CultureInfo.InvariantCulture, $"Order {@event.OrderId} confirmed: total {@event.TotalCents / 100m:0.00}.")));

    public Task HandleAsync(OrderRejected @event, EventMetadata metadata, CancellationToken cancellationToken) =>
        NotifyAsync(For(@event.UserId, @event.OrderId, @event.OccurredAt, RejectedKind, string.Create(
            CultureInfo.InvariantCulture, $"Order {@event.OrderId} rejected: {@event.Reason}")));

    internal static Notification For(
        string userId, string orderId, Google.Protobuf.WellKnownTypes.Timestamp at, string kind, string text) => new()
    {
        NotificationId = $"ntf_{orderId}",
        UserId = userId,
        OrderId = orderId,
        Kind = kind,
        Text = text,
        // The event's time, not the clock's: a replay rebuilds the same notification.
        CreatedAt = at,
    };

    private async Task NotifyAsync(Notification notification)
    {
        if (notification.UserId.Length == 0 || notification.OrderId.Length == 0)
        {
            // No user to tell and no order to key it by: rejected, so the library dead-letters the
            // event at once instead of dropping it.
            throw new EventRejectedException($"The {notification.Kind} event carries no user_id or no order_id.");
        }

        if (await store.AddAsync(notification))
        {
            LogNotified(notification.NotificationId, notification.Kind, notification.UserId, notification.OrderId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {NotificationId} ({Kind}) for {UserId} about {OrderId}")]
    private partial void LogNotified(string notificationId, string kind, string userId, string orderId);
}
