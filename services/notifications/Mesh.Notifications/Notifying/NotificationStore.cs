using Google.Protobuf;
using Mesh.Contracts.V1;
using Mesh.ServiceDefaults.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Notifications.Notifying;

/// <summary>
/// Notifications under the service's prefix <c>notifications:</c>, a view of the order events that
/// a replay can rebuild (it fills a new generation of <see cref="ViewGenerations"/> and switches). A
/// new notification is stored and published on the user's Redis channel in one script, so every
/// instance serving that user's Subscribe stream sees it exactly once, whichever instance consumed
/// the event; only the live generation publishes, a rebuild never notifies anyone again.
/// </summary>
public sealed class NotificationStore(IConnectionMultiplexer redis, IOptions<NotificationOptions> options, TimeProvider clock)
{
    /// <summary>How far before a resume point a resumed stream looks again, for notifications indexed late.</summary>
    public static readonly TimeSpan ResumeOverlap = TimeSpan.FromSeconds(10);

    private const string Prefix = "notifications";

    private readonly RedisTimeline _timeline = new(redis, Prefix);

    public ViewGenerations Generations { get; } = new(redis, Prefix, clock);

    /// <summary>Adds the notification (to a running rebuild too) and, if new, publishes it live.</summary>
    public async Task<bool> AddAsync(Notification notification)
    {
        var targets = await Generations.TargetsAsync();
        var added = await AddAsync(targets.Live, notification, publish: true);
        if (targets.Rebuild is { } rebuild && rebuild != targets.Live)
        {
            await AddAsync(rebuild, notification, publish: false);
        }

        return added;
    }

    /// <summary>Adds the notification to one generation unless it is there.</summary>
    public Task<bool> AddAsync(long generation, Notification notification, bool publish) =>
        _timeline.AddIfAbsentAsync(
            notification.UserId,
            notification.NotificationId,
            notification.CreatedAt.ToDateTimeOffset(),
            notification.ToByteArray(),
            publish,
            generation,
            clock.GetUtcNow() - options.Value.Retention);

    public async Task<(IReadOnlyList<Notification> Notifications, bool HasMore)> PageAsync(string userId, int offset, int count)
    {
        var (items, hasMore) = await _timeline.PageAsync(userId, offset, count, await Generations.LiveAsync());
        return (items.Select(Notification.Parser.ParseFrom).ToList(), hasMore);
    }

    /// <summary>
    /// What a client that last handled <paramref name="notificationId"/> may have missed, oldest
    /// first, with the notifications of the few seconds before it again (see <see cref="RedisTimeline.SinceAsync"/>).
    /// Null when that notification is unknown.
    /// </summary>
    public async Task<IReadOnlyList<Notification>?> SinceAsync(string userId, string notificationId, int limit) =>
        await _timeline.SinceAsync(userId, notificationId, ResumeOverlap, limit, await Generations.LiveAsync()) is { } items
            ? items.Select(Notification.Parser.ParseFrom).ToList()
            : null;

    /// <summary>Subscribes to the user's live notifications; dispose the queue's subscription when done.</summary>
    public Task<ChannelMessageQueue> SubscribeAsync(string userId) =>
        redis.GetSubscriber().SubscribeAsync(_timeline.LiveChannel(userId));
}
