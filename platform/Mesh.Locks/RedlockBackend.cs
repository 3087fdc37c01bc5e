using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Locks;

/// <summary>
/// Redlock over N independent masters: a lock is granted only when a majority took it within its
/// validity (expiry − elapsed − drift); every failed or partial attempt is released on all masters.
/// Its waiters poll (<see cref="LockManager"/>): a fair queue would need a quorum of queues, each
/// master's in its own order, and gives no order a majority agrees on.
/// <para>
/// Fencing: each master increments its own counter in the script that takes the lock, and the
/// grant's token is the largest value among the masters it locked. That alone is not enough —
/// counters drift apart when grants use different majorities — so before the grant is returned,
/// a majority must hold a counter of at least the token (raising the lower ones). Any later
/// majority then meets one of those masters, whose increment exceeds the token: tokens strictly
/// increase across grants as long as masters keep their data.
/// </para>
/// </summary>
public sealed class RedlockBackend : ILockBackend, IAsyncDisposable, IDisposable
{
    private readonly IReadOnlyList<LockMaster> _masters;
    private readonly TimeProvider _clock;
    private readonly double _drift;
    private readonly int _quorum;
    private readonly bool _ownsConnections;

    public RedlockBackend(
        IReadOnlyList<IConnectionMultiplexer> masters, IOptions<LockOptions> options, TimeProvider clock, bool ownsConnections)
    {
        ArgumentOutOfRangeException.ThrowIfZero(masters.Count);
        _masters = masters.Select(m => new LockMaster(m, options.Value.MasterTimeout, options.Value.FenceRetention, clock)).ToList();
        _clock = clock;
        _drift = options.Value.ClockDriftFactor;
        _quorum = LockVotes.Quorum(masters.Count);
        _ownsConnections = ownsConnections;
    }

    public int Quorum => _quorum;

    public async Task<LockAttempt> TryLockAsync(string resource, string owner, TimeSpan expiry, CancellationToken cancellationToken)
    {
        var started = _clock.GetTimestamp();
        var grantId = LockMaster.NewGrantId();
        // No queue across independent masters: Redlock waiters poll (LockManager).
        long?[] tokens;
        try
        {
            tokens = await Task.WhenAll(_masters.Select(m => m.TryLockAsync(resource, grantId, owner, expiry, TimeSpan.Zero, cancellationToken)));
        }
        catch (OperationCanceledException)
        {
            // Masters that took the lock before the cancellation would hold it unseen until it expires.
            await Task.WhenAll(_masters.Select(m => m.ReleaseAsync(resource, owner, grantId, CancellationToken.None)));
            throw;
        }

        if (tokens.Count(t => t > 0) >= _quorum)
        {
            var token = tokens.Max(t => t ?? 0);
            if (await ImprintAsync(resource, tokens, token, cancellationToken))
            {
                var validity = LockVotes.Validity(expiry, _clock.GetElapsedTime(started), _drift);
                if (validity > TimeSpan.Zero)
                {
                    return new LockAttempt(LockAttemptOutcome.Acquired, token, validity, grantId);
                }
            }
        }

        await Task.WhenAll(_masters.Select(m => m.ReleaseAsync(resource, owner, grantId, CancellationToken.None)));
        return tokens.Count(t => t is not null) >= _quorum ? LockAttempt.Held : LockAttempt.Unavailable;
    }

    public async Task<LockExtension> ExtendAsync(
        string resource, string owner, string? grantId, TimeSpan expiry, CancellationToken cancellationToken)
    {
        var started = _clock.GetTimestamp();
        var replies = await Task.WhenAll(_masters.Select(m => m.ExtendAsync(resource, owner, grantId, expiry, cancellationToken)));
        var status = LockVotes.Tally(replies, _quorum, _quorum);
        if (status != LockStatus.Success)
        {
            return LockExtension.Failed(status);
        }

        var validity = LockVotes.Validity(expiry, _clock.GetElapsedTime(started), _drift);
        return validity > TimeSpan.Zero ? new LockExtension(status, validity) : LockExtension.Failed(LockStatus.Unavailable);
    }

    public async Task<LockStatus> ReleaseAsync(string resource, string owner, string? grantId, CancellationToken cancellationToken)
    {
        var replies = await Task.WhenAll(_masters.Select(m => m.ReleaseAsync(resource, owner, grantId, cancellationToken)));
        return LockVotes.Tally(replies, _quorum, 1);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsConnections)
        {
            foreach (var master in _masters)
            {
                await master.Connection.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        if (_ownsConnections)
        {
            foreach (var master in _masters)
            {
                master.Connection.Dispose();
            }
        }
    }

    /// <summary>True once a majority of masters hold a fencing counter of at least <paramref name="token"/>.</summary>
    private async Task<bool> ImprintAsync(string resource, long?[] tokens, long token, CancellationToken cancellationToken)
    {
        var atToken = tokens.Count(t => t == token);
        if (atToken >= _quorum)
        {
            return true;
        }

        var raised = await Task.WhenAll(_masters
            .Where((_, i) => tokens[i] > 0 && tokens[i] < token)
            .Select(m => m.RaiseFenceAsync(resource, token, cancellationToken)));
        return atToken + raised.Count(r => r is not null) >= _quorum;
    }
}
