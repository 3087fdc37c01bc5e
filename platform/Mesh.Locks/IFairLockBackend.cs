namespace Mesh.Locks;

/// <summary>A backend whose waiters queue for a lock and are granted it in arrival order.</summary>
public interface IFairLockBackend : ILockBackend
{
    /// <summary>
    /// Queues for the lock and waits, at most <paramref name="wait"/>, for this waiter's turn; leaves
    /// the queue when the wait runs out or is cancelled. The outcome is that of the last attempt:
    /// <see cref="LockAttemptOutcome.Held"/> when the turn did not come in time.
    /// </summary>
    Task<LockAttempt> LockInTurnAsync(string resource, string owner, TimeSpan expiry, TimeSpan wait, CancellationToken cancellationToken);
}
