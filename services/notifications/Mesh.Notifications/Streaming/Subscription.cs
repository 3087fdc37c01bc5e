using Mesh.Contracts.V1;
using Mesh.Notifications.Notifying;
using Mesh.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Notifications.Streaming;

/// <summary>
/// Runs one Subscribe stream within its bounds: it holds one of the user's stream slots (renewed
/// while it lives, given back when it ends), lives at most <see cref="StreamOptions.MaxStreamLifetime"/>
/// (with jitter, so streams opened together do not all reconnect together) or until the instance
/// stops, and then ends with <see cref="StreamRecycledException"/> naming where to resume.
/// </summary>
public sealed partial class Subscription(
    NotificationStore store,
    StreamSlots slots,
    IOptions<StreamOptions> options,
    IHostApplicationLifetime host,
    TimeProvider clock,
    ILogger<Subscription> logger)
{
    /// <summary>
    /// Streams the user's notifications through <paramref name="send"/> until <paramref name="callEnded"/>;
    /// <paramref name="started"/> runs once the live subscription is in place, so nothing created
    /// after it is missed.
    /// </summary>
    public async Task RunAsync(
        string userId, string resumeAfter, Func<Task> started, Func<Notification, Task> send, CancellationToken callEnded)
    {
        var bounds = options.Value;
        var streamId = Guid.NewGuid().ToString("N");
        if (!await slots.TryTakeAsync(userId, streamId, bounds.MaxStreamsPerUser, bounds.StreamLease))
        {
            throw new StreamLimitException(bounds.MaxStreamsPerUser);
        }

        using var expired = new CancellationTokenSource(bounds.MaxStreamLifetime * (0.9 + (0.1 * Random.Shared.NextDouble())), clock);
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(callEnded, expired.Token, host.ApplicationStopping);
        var renewing = RenewAsync(userId, streamId, bounds.StreamLease, ending.Token);
        var queue = await store.SubscribeAsync(userId);
        var lastSent = resumeAfter;
        try
        {
            var backlog = await BacklogAsync(userId, resumeAfter, bounds.MaxResumeBacklog);
            await started();
            var replayed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var notification in backlog)
            {
                await send(notification);
                replayed.Add(notification.NotificationId);
                lastSent = notification.NotificationId;
            }

            while (true)
            {
                var message = await queue.ReadAsync(ending.Token);
                var notification = Notification.Parser.ParseFrom((byte[])message.Message!);
                // Created while the backlog was read: it came both ways.
                if (replayed.Contains(notification.NotificationId))
                {
                    continue;
                }

                await send(notification);
                lastSent = notification.NotificationId;
            }
        }
        catch (OperationCanceledException) when (callEnded.IsCancellationRequested)
        {
            // The client ended the stream: the normal way out.
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
            LogRecycled(userId, host.ApplicationStopping.IsCancellationRequested ? "shutdown" : "lifetime");
            // Spread the reconnects of streams ended together (a shutdown ends them all at once).
            throw new StreamRecycledException(lastSent, TimeSpan.FromMilliseconds(Random.Shared.Next(0, 2000)));
        }
        finally
        {
            await ending.CancelAsync();
            await renewing;
            await queue.UnsubscribeAsync();
            await ReleaseAsync(userId, streamId);
        }
    }

    private async Task<IReadOnlyList<Notification>> BacklogAsync(string userId, string resumeAfter, int limit)
    {
        if (resumeAfter.Length == 0)
        {
            return [];
        }

        var missed = await store.SinceAsync(userId, resumeAfter, limit)
            ?? throw ResourceException.NotFound("notification", resumeAfter);
        return missed.Count > limit ? throw new TooFarBehindException(limit) : missed;
    }

    private async Task RenewAsync(string userId, string streamId, TimeSpan lease, CancellationToken ending)
    {
        try
        {
            while (true)
            {
                await Task.Delay(lease / 3, clock, ending);
                try
                {
                    await slots.RenewAsync(userId, streamId, lease);
                }
                catch (RedisException exception)
                {
                    // Retried at the next tick; meanwhile the slot may lapse and count for nobody.
                    LogRenewFailed(exception, userId);
                }
            }
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
        }
    }

    private async Task ReleaseAsync(string userId, string streamId)
    {
        try
        {
            await slots.ReleaseAsync(userId, streamId);
        }
        catch (RedisException exception)
        {
            // The lease runs out by itself.
            LogReleaseFailed(exception, userId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribe stream of {UserId} recycled ({Cause})")]
    private partial void LogRecycled(string userId, string cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew a Subscribe stream slot of {UserId}; retrying")]
    private partial void LogRenewFailed(Exception exception, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release a Subscribe stream slot of {UserId}; its lease runs out")]
    private partial void LogReleaseFailed(Exception exception, string userId);
}
