using Google.Protobuf;
using System.Globalization;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Messaging;

namespace Mesh.Notifications.Notifying;

/// <summary>
/// Tells the user how their order ended: one notification for its outcome (confirmed, rejected,
/// or cancelled while pending) and one more if a confirmed order is cancelled. The notification id
/// derives from the order id and the kind of end, so a redelivered or republished event, or even a
/// second outcome for the same order, finds the notification already there and notifies nobody
/// twice; the record and the live publish on the user's channel are one script, so a crash never
/// leaves one without the other.
/// </summary>
public sealed partial class OrderOutcomeNotifier(NotificationStore store, ILogger<OrderOutcomeNotifier> logger)
    : IEventHandler<OrderConfirmed>, IEventHandler<OrderRejected>, IEventHandler<OrderCancelled>
{
    public const string ConfirmedKind = "order.confirmed";
    public const string RejectedKind = "order.rejected";
    public const string CancelledKind = "order.cancelled";

    public Task HandleAsync(OrderConfirmed @event, EventMetadata metadata, CancellationToken cancellationToken) =>
        NotifyAsync(@event);

    public Task HandleAsync(OrderRejected @event, EventMetadata metadata, CancellationToken cancellationToken) =>
        NotifyAsync(@event);

    public Task HandleAsync(OrderCancelled @event, EventMetadata metadata, CancellationToken cancellationToken) =>
        NotifyAsync(@event);

    /// <summary>The notification an order's end makes: the same whether consumed live or replayed.</summary>
    public static Notification ToNotification(IMessage @event) => @event switch
    {
        OrderConfirmed confirmed => For(confirmed.UserId, confirmed.OrderId, confirmed.OccurredAt, ConfirmedKind, string.Create(
            CultureInfo.InvariantCulture, $"Order {confirmed.OrderId} confirmed: total {confirmed.TotalCents / 100m:0.00}.")),
        OrderRejected rejected => For(rejected.UserId, rejected.OrderId, rejected.OccurredAt, RejectedKind, string.Create(
            CultureInfo.InvariantCulture, $"Order {rejected.OrderId} rejected: {rejected.Reason}")),
        OrderCancelled cancelled => For(cancelled.UserId, cancelled.OrderId, cancelled.OccurredAt, CancelledKind, string.Create(
            CultureInfo.InvariantCulture, $"Order {cancelled.OrderId} cancelled: {cancelled.TotalCents / 100m:0.00} is available again."),
            // A pending order's cancellation is its outcome: one notification, as for any other.
            idSuffix: cancelled.WasConfirmed ? ".cancelled" : ""),
        _ => throw new ArgumentException($"{@event.Descriptor.FullName} does not end an order.", nameof(@event)),
    };

    private static Notification For(
        string userId, string orderId, Google.Protobuf.WellKnownTypes.Timestamp at, string kind, string text, string idSuffix = "") => new()
    {
        NotificationId = $"ntf_{orderId}{idSuffix}",
        UserId = userId,
        OrderId = orderId,
        Kind = kind,
        Text = text,
        // The event's time, not the clock's: a replay rebuilds the same notification.
        CreatedAt = at,
    };

    private async Task NotifyAsync(IMessage @event)
    {
        var notification = ToNotification(@event);
        EventGuard.RequireIds(@event, notification.UserId, notification.OrderId);
        if (await store.AddAsync(notification))
        {
            LogNotified(notification.NotificationId, notification.Kind, notification.UserId, notification.OrderId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {NotificationId} ({Kind}) for {UserId} about {OrderId}")]
    private partial void LogNotified(string notificationId, string kind, string userId, string orderId);
}
