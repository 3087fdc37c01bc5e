using System.Threading.Channels;

namespace Mesh.Locks;

/// <summary>
/// One queued waiter's doorbell: rung when a release names it as the queue's head, with the
/// fencing token when the release handed it the lock.
/// </summary>
internal sealed class LockWakeup(LockWakeups owner, string resource, string waiterId, TimeProvider clock) : IDisposable
{
    // At most one ring is kept: a ring while the waiter is busy makes its next wait return at once.
    private readonly Channel<bool> _rings = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _handed;

    public string Resource => resource;

    public string WaiterId => waiterId;

    public void Ring(long handedToken)
    {
        if (handedToken > 0)
        {
            Interlocked.Exchange(ref _handed, handedToken);
        }

        _rings.Writer.TryWrite(true);
    }

    /// <summary>
    /// Returns when rung or after <paramref name="timeout"/>, whichever comes first: the fencing
    /// token of a lock handed to this waiter, or 0.
    /// </summary>
    public async Task<long> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, clock);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _rings.Reader.ReadAsync(either.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Timed out: the caller re-checks the lock.
        }

        return Interlocked.Exchange(ref _handed, 0);
    }

    public void Dispose() => owner.Unregister(this);
}
