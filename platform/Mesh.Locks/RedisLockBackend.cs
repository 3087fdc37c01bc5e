using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Locks;

/// <summary>
/// Locks on one Redis instance (or one Cluster): the process's own connection, one script per step.
/// Waiters queue per resource; a release hands the lock to the head and tells it (pub/sub), so the
/// next holder does not ask again. Waiters re-check every
/// <see cref="LockOptions.QueueRecheckInterval"/> in case a wake-up never comes (a lost message, a
/// holder whose key expired unreleased, a dead waiter ahead).
/// </summary>
public sealed class RedisLockBackend : IFairLockBackend
{
    private readonly LockMaster _master;
    private readonly LockWakeups _wakeups;
    private readonly TimeProvider _clock;
    private readonly double _drift;
    private readonly TimeSpan _recheck;
    private readonly TimeSpan _lease;

    public RedisLockBackend(IConnectionMultiplexer redis, IOptions<LockOptions> options, TimeProvider clock, ILogger<RedisLockBackend> logger)
    {
        var settings = options.Value;
        _master = new LockMaster(redis, settings.MasterTimeout, settings.FenceRetention, clock);
        _wakeups = new LockWakeups(redis, settings.MasterTimeout, clock, logger);
        _clock = clock;
        _drift = settings.ClockDriftFactor;
        _recheck = settings.QueueRecheckInterval;
        // A live waiter renews its place at least every recheck; one missed renewal (a slow answer) is forgiven.
        _lease = 2 * settings.QueueRecheckInterval + settings.MasterTimeout;
    }

    /// <summary>Never queues; while others are queued, a free lock is theirs, not the caller's.</summary>
    public Task<LockAttempt> TryLockAsync(string resource, string owner, TimeSpan expiry, CancellationToken cancellationToken) =>
        AttemptAsync(resource, owner, LockMaster.NewGrantId(), expiry, TimeSpan.Zero, cancellationToken);

    public async Task<LockAttempt> LockInTurnAsync(
        string resource, string owner, TimeSpan expiry, TimeSpan wait, CancellationToken cancellationToken)
    {
        var started = _clock.GetTimestamp();
        var waiterId = LockMaster.NewGrantId();
        var attempt = LockAttempt.Held;
        var left = wait;
        // When the last attempt that left this waiter queued was sent, and the place it asked for:
        // a lock handed over later lasts at least that long from then (see LockScripts.Release).
        var queuedAt = started;
        var place = TimeSpan.Zero;
        try
        {
            // A free lock nobody waits for is taken by the first attempt, with no subscription: the
            // uncontended path stays one round trip.
            if (await TakenOrOverAsync())
            {
                return attempt;
            }

            // Queued now. Listen for our turn, then ask again at once: a wake-up published before
            // the subscription was in place reached nobody.
            using var wakeup = await _wakeups.RegisterAsync(resource, waiterId, cancellationToken);
            while (!await TakenOrOverAsync())
            {
                var handed = await wakeup.WaitAsync(left < _recheck ? left : _recheck, cancellationToken);
                if (handed > 0)
                {
                    // Released to us: no need to ask. (Too little of it left: the next attempt finds
                    // the grant and renews it.)
                    var validity = LockVotes.Validity(expiry < place ? expiry : place, _clock.GetElapsedTime(queuedAt), _drift);
                    if (validity > TimeSpan.Zero)
                    {
                        attempt = new LockAttempt(LockAttemptOutcome.Acquired, handed, validity, waiterId);
                        return attempt;
                    }
                }
            }

            return attempt;
        }
        finally
        {
            if (!attempt.Acquired)
            {
                // Also takes back a grant that landed while its answer was lost, timed out or
                // cancelled, or that a release handed over as the wait ended.
                await _master.LeaveAsync(resource, waiterId, CancellationToken.None);
            }
        }

        // One attempt as a queued waiter whose place lasts at most the time left.
        async Task<bool> TakenOrOverAsync()
        {
            var sent = _clock.GetTimestamp();
            var lease = TimeSpan.FromTicks(Math.Clamp(left.Ticks, TimeSpan.TicksPerMillisecond, _lease.Ticks));
            attempt = await AttemptAsync(resource, owner, waiterId, expiry, lease, cancellationToken);
            if (attempt.Outcome == LockAttemptOutcome.Held)
            {
                (queuedAt, place) = (sent, lease);
            }

            left = wait - _clock.GetElapsedTime(started);
            return attempt.Acquired || left <= TimeSpan.Zero;
        }
    }

    public async Task<LockExtension> ExtendAsync(
        string resource, string owner, string? grantId, TimeSpan expiry, CancellationToken cancellationToken)
    {
        var started = _clock.GetTimestamp();
        var status = LockVotes.Tally([await _master.ExtendAsync(resource, owner, grantId, expiry, cancellationToken)], 1, 1);
        return status == LockStatus.Success
            ? new LockExtension(status, LockVotes.Validity(expiry, _clock.GetElapsedTime(started), _drift))
            : LockExtension.Failed(status);
    }

    public async Task<LockStatus> ReleaseAsync(string resource, string owner, string? grantId, CancellationToken cancellationToken) =>
        LockVotes.Tally([await _master.ReleaseAsync(resource, owner, grantId, cancellationToken)], 1, 1);

    private async Task<LockAttempt> AttemptAsync(
        string resource, string owner, string grantId, TimeSpan expiry, TimeSpan queueLease, CancellationToken cancellationToken)
    {
        var started = _clock.GetTimestamp();
        long? token;
        try
        {
            token = await _master.TryLockAsync(resource, grantId, owner, expiry, queueLease, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The script may have run: a grant nobody learns of would block the lock until it expires.
            await _master.ReleaseAsync(resource, owner, grantId, CancellationToken.None);
            throw;
        }

        if (token is null)
        {
            // A timed-out SET may still have landed: take back whatever this grant holds.
            await _master.ReleaseAsync(resource, owner, grantId, CancellationToken.None);
            return LockAttempt.Unavailable;
        }

        if (token == 0)
        {
            return LockAttempt.Held;
        }

        var validity = LockVotes.Validity(expiry, _clock.GetElapsedTime(started), _drift);
        if (validity > TimeSpan.Zero)
        {
            return new LockAttempt(LockAttemptOutcome.Acquired, token.Value, validity, grantId);
        }

        // The answer came so late that the lock may already have expired: give it back.
        await _master.ReleaseAsync(resource, owner, grantId, CancellationToken.None);
        return LockAttempt.Held;
    }
}
