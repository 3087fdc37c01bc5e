using System.Security.Cryptography;
using StackExchange.Redis;

namespace Mesh.Locks;

/// <summary>
/// One Redis instance of a lock backend. Every call is bounded by the master timeout; a master
/// that fails or does not answer in time yields null, which the backends count as "no answer".
/// </summary>
internal sealed class LockMaster(IConnectionMultiplexer redis, TimeSpan timeout, TimeSpan fenceRetention, TimeProvider clock)
{
    public IConnectionMultiplexer Connection => redis;

    /// <summary>A fresh id for one grant, so an owner's stale handle never touches its newer grant.</summary>
    public static string NewGrantId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public static string ValueOf(string grantId, string owner) => $"{grantId}:{owner}";

    /// <summary>
    /// The fencing token (above 0) when locked, 0 when not (held, or free but another waiter's
    /// turn). With a <paramref name="queueLease"/> the waiter <paramref name="grantId"/> queues, or
    /// keeps its place, for that long.
    /// </summary>
    public Task<long?> TryLockAsync(
        string resource, string grantId, string owner, TimeSpan expiry, TimeSpan queueLease, CancellationToken cancellationToken) =>
        RunAsync(
            LockScripts.Acquire,
            [LockKeys.Owner(resource), LockKeys.Fence(resource), LockKeys.Queue(resource), LockKeys.Waiters(resource), LockKeys.Turns(resource)],
            [ValueOf(grantId, owner), Milliseconds(expiry), Milliseconds(fenceRetention), grantId,
                queueLease > TimeSpan.Zero ? Milliseconds(queueLease) : 0, LockKeys.Wake(resource)],
            cancellationToken);

    public Task<long?> ExtendAsync(string resource, string owner, string? grantId, TimeSpan expiry, CancellationToken cancellationToken) =>
        RunAsync(LockScripts.Extend, [LockKeys.Owner(resource)], [owner, grantId ?? "", Milliseconds(expiry)], cancellationToken);

    /// <summary>Deletes the grant and hands the lock to the queue's head, if anyone waits.</summary>
    public Task<long?> ReleaseAsync(string resource, string owner, string? grantId, CancellationToken cancellationToken) =>
        RunAsync(
            LockScripts.Release,
            [LockKeys.Owner(resource), LockKeys.Fence(resource), LockKeys.Queue(resource), LockKeys.Waiters(resource), LockKeys.Turns(resource)],
            [owner, grantId ?? "", LockKeys.Wake(resource), Milliseconds(fenceRetention)], cancellationToken);

    /// <summary>Takes the waiter out of the queue, and back any grant to it that landed unseen.</summary>
    public Task<long?> LeaveAsync(string resource, string grantId, CancellationToken cancellationToken) =>
        RunAsync(
            LockScripts.Leave, [LockKeys.Owner(resource), LockKeys.Queue(resource), LockKeys.Waiters(resource), LockKeys.Turns(resource)],
            [grantId, LockKeys.Wake(resource)], cancellationToken);

    public Task<long?> RaiseFenceAsync(string resource, long token, CancellationToken cancellationToken) =>
        RunAsync(LockScripts.RaiseFence, [LockKeys.Fence(resource)], [token, Milliseconds(fenceRetention)], cancellationToken);

    private static long Milliseconds(TimeSpan duration) => Math.Max(1, (long)Math.Ceiling(duration.TotalMilliseconds));

    private async Task<long?> RunAsync(string script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await redis.GetDatabase().ScriptEvaluateAsync(script, keys, values)
                .WaitAsync(timeout, clock, cancellationToken);
            return (long)reply;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return null;
        }
    }
}
