using System.Globalization;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Messaging;

namespace Mesh.Notifications.Notifying;

/// <summary>
/// Tells the user their order was placed. The notification id derives from the event id, so a
/// redelivered event finds its notification already there and notifies nobody twice.
/// </summary>
public sealed partial class OrderPlacedNotifier(
    NotificationStore store, TimeProvider clock, ILogger<OrderPlacedNotifier> logger) : IEventHandler<OrderPlaced>
{
    public const string Kind = "order.placed";

    public async Task HandleAsync(OrderPlaced @event, EventMetadata metadata, CancellationToken cancellationToken)
    {
        var notification = new Notification
        {
            NotificationId = $"ntf_{@event.EventId}",
            UserId = @event.UserId,
            OrderId = @event.OrderId,
            Kind = Kind,
            Text = string.Create(
                CultureInfo.InvariantCulture,
                $"Order {@event.OrderId} placed: {@event.Lines.Sum(l => l.Quantity)} item(s), total {@event.TotalCents / 100m:0.00}."),
            CreatedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(clock.GetUtcNow()),
        };

        if (await store.AddAsync(notification))
        {
            LogNotified(notification.NotificationId, @event.UserId, @event.OrderId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {NotificationId} for {UserId} about {OrderId}")]
    private partial void LogNotified(string notificationId, string userId, string orderId);
}
