using Google.Protobuf;
using Google.Protobuf.Reflection;
using Mesh.Contracts.Events.V1;
using Mesh.Replay;

namespace Mesh.Notifications.Notifying;

/// <summary>
/// Rebuilds every user's notifications from the order outcome topics into a new generation,
/// exactly as <see cref="OrderOutcomeNotifier"/> makes them, but without publishing: a replay
/// never notifies anyone again.
/// </summary>
public sealed class NotificationsRebuild(NotificationStore store, ILogger<NotificationsRebuild> logger)
    : GenerationalViews(store.Generations, RedisTimeline.KeySuffixes, logger)
{
    public override string Name => "notifications views";

    public override IReadOnlyList<MessageDescriptor> Events { get; } =
        [OrderConfirmed.Descriptor, OrderRejected.Descriptor, OrderCancelled.Descriptor];

    protected override Task ApplyAsync(long generation, IMessage @event) =>
        OrderOutcomeNotifier.ToNotification(@event) is { UserId.Length: > 0, OrderId.Length: > 0 } notification
            ? store.AddAsync(generation, notification, publish: false)
            : Task.CompletedTask;
}
