using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Coordination.Locks;

/// <summary>Locks on one Redis instance (or one Cluster): the process's own connection, one script per step.</summary>
public sealed class RedisLockBackend(IConnectionMultiplexer redis, IOptions<LockOptions> options, TimeProvider clock) : ILockBackend
{
    private readonly LockMaster _master = new(redis, options.Value.MasterTimeout, options.Value.FenceRetention, clock);
    private readonly double _drift = options.Value.ClockDriftFactor;

    public async Task<LockAttempt> TryLockAsync(string resource, string owner, TimeSpan expiry, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var grantId = LockMaster.NewGrantId();
        var token = await _master.TryLockAsync(resource, LockMaster.ValueOf(grantId, owner), expiry, cancellationToken);
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

        var validity = LockVotes.Validity(expiry, clock.GetElapsedTime(started), _drift);
        if (validity > TimeSpan.Zero)
        {
            return new LockAttempt(LockAttemptOutcome.Acquired, token.Value, validity, grantId);
        }

        // The answer came so late that the lock may already have expired: give it back.
        await _master.ReleaseAsync(resource, owner, grantId, CancellationToken.None);
        return LockAttempt.Held;
    }

    public async Task<LockExtension> ExtendAsync(
        string resource, string owner, string? grantId, TimeSpan expiry, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var status = LockVotes.Tally([await _master.ExtendAsync(resource, owner, grantId, expiry, cancellationToken)], 1, 1);
        return status == LockStatus.Success
            ? new LockExtension(status, LockVotes.Validity(expiry, clock.GetElapsedTime(started), _drift))
            : LockExtension.Failed(status);
    }

    public async Task<LockStatus> ReleaseAsync(string resource, string owner, string? grantId, CancellationToken cancellationToken) =>
        LockVotes.Tally([await _master.ReleaseAsync(resource, owner, grantId, cancellationToken)], 1, 1);
}
