using Google.Protobuf;
using Mesh.Contracts.V1;
using Mesh.ServiceDefaults.Redis;
using StackExchange.Redis;

namespace Mesh.Notifications.Notifying;

/// <summary>
/// Notifications under the service's prefix <c>notifications:</c>. A new notification is stored and
/// published on the user's Redis channel in one script, so every instance serving that user's
/// Subscribe stream sees it exactly once, whichever instance consumed the event.
/// </summary>
public sealed class NotificationStore(IConnectionMultiplexer redis)
{
    /// <summary>How far before a resume point a resumed stream looks again, for notifications indexed late.</summary>
    public static readonly TimeSpan ResumeOverlap = TimeSpan.FromSeconds(10);

    private readonly RedisTimeline _timeline = new(redis, "notifications");

    public Task<bool> AddAsync(Notification notification) =>
        _timeline.AddIfAbsentAsync(
            notification.UserId,
            notification.NotificationId,
            notification.CreatedAt.ToDateTimeOffset(),
            notification.ToByteArray(),
            publish: true);

    public async Task<(IReadOnlyList<Notification> Notifications, bool HasMore)> PageAsync(string userId, int offset, int count)
    {
        var (items, hasMore) = await _timeline.PageAsync(userId, offset, count);
        return (items.Select(Notification.Parser.ParseFrom).ToList(), hasMore);
    }

    /// <summary>
    /// What a client that last handled <paramref name="notificationId"/> may have missed, oldest
    /// first, with the notifications of the few seconds before it again (see <see cref="RedisTimeline.SinceAsync"/>).
    /// Null when that notification is unknown.
    /// </summary>
    public async Task<IReadOnlyList<Notification>?> SinceAsync(string userId, string notificationId, int limit) =>
        await _timeline.SinceAsync(userId, notificationId, ResumeOverlap, limit) is { } items
            ? items.Select(Notification.Parser.ParseFrom).ToList()
            : null;

    /// <summary>Subscribes to the user's live notifications; dispose the queue's subscription when done.</summary>
    public Task<ChannelMessageQueue> SubscribeAsync(string userId) =>
        redis.GetSubscriber().SubscribeAsync(_timeline.LiveChannel(userId));
}
