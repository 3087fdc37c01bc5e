using Microsoft.Extensions.Logging;

namespace Mesh.Locks;

/// <summary>
/// A held lock. With auto-extension it renews itself every third of its expiry. <see cref="LockLost"/>
/// is cancelled as soon as the holder can no longer rely on the lock: a renewal found it expired or
/// someone else's, or no renewal succeeded before its validity ran out (a paused process, a lost
/// quorum). Protected writes should still carry <see cref="FencingToken"/>: a pause can outlast the
/// lock between the last check and the write. Disposing stops the renewal and releases this grant.
/// </summary>
public sealed class LockHandle : IAsyncDisposable
{
    private readonly ILockBackend _backend;
    private readonly LockRequest _request;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;
    private string? _lostReason;
    private int _released;

    internal LockHandle(ILockBackend backend, LockRequest request, LockAttempt grant, TimeProvider clock, ILogger logger)
    {
        _backend = backend;
        _request = request;
        _clock = clock;
        _logger = logger;
        FencingToken = grant.FencingToken;
        GrantId = grant.GrantId;
        _lost = new CancellationTokenSource(grant.Validity, clock);
        LockLost = _lost.Token;
        LockLost.Register(static state => ((LockHandle)state!).OnLost(), this);
        _renewal = request.AutoExtend ? RenewAsync(grant.Validity, _stop.Token) : Task.CompletedTask;
    }

    public string Resource => _request.Resource;

    public string Owner => _request.Owner;

    /// <summary>Above every token granted for this resource before; pass it to every protected write.</summary>
    public long FencingToken { get; }

    /// <summary>Tells this grant apart from other grants of the same owner.</summary>
    public string GrantId { get; }

    /// <summary>Cancelled when the lock is lost; never cancelled by a release.</summary>
    public CancellationToken LockLost { get; }

    public bool IsLost => LockLost.IsCancellationRequested;

    /// <summary>Stops the renewal and deletes this grant (never another owner's or a newer grant).</summary>
    public async Task<LockStatus> ReleaseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _released, 1) == 1)
        {
            return LockStatus.DoesNotExist;
        }

        await _stop.CancelAsync();
        await _renewal.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var wasLost = IsLost;
        _lost.Dispose();
        _stop.Dispose();

        var status = await _backend.ReleaseAsync(Resource, Owner, GrantId, cancellationToken);
        if (status != LockStatus.Success && !wasLost)
        {
            LockLog.ReleaseFailed(_logger, Resource, FencingToken, status);
        }

        return status;
    }

    public async ValueTask DisposeAsync() => await ReleaseAsync(CancellationToken.None);

    private async Task RenewAsync(TimeSpan validity, CancellationToken stop)
    {
        // A lock handed over by a release may first last only as long as the waiter's place in the
        // queue did: renew it well before that.
        var interval = TimeSpan.FromTicks(Math.Min(_request.Expiry.Ticks / 3, validity.Ticks / 2));
        try
        {
            while (!LockLost.IsCancellationRequested)
            {
                await Task.Delay(interval, _clock, stop);
                var extension = await _backend.ExtendAsync(Resource, Owner, GrantId, _request.Expiry, stop);
                switch (extension.Status)
                {
                    case LockStatus.Success:
                        _lost.CancelAfter(extension.Validity);
                        interval = _request.Expiry / 3;
                        break;
                    case LockStatus.Unavailable:
                        // The last validity still stands; if it runs out first, the timer reports the loss.
                        LockLog.RenewalUnavailable(_logger, Resource);
                        interval = TimeSpan.FromTicks(Math.Min(_request.RetryInterval.Ticks, interval.Ticks));
                        break;
                    default:
                        _lostReason = extension.Status == LockStatus.DoesNotExist ? "it had expired" : "another owner holds it";
                        await _lost.CancelAsync();
                        return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Released.
        }
    }

    private void OnLost()
    {
        if (Volatile.Read(ref _released) == 0)
        {
            LockTelemetry.Lost.Add(1);
            LockLog.Lost(_logger, Resource, FencingToken, _lostReason ?? "no renewal succeeded within its validity");
        }
    }
}
