namespace Mesh.Locks;

/// <summary>
/// One attempt at each lock operation against Redis: a single instance or a Redlock quorum.
/// Every operation is bounded in time; none retries.
/// </summary>
public interface ILockBackend
{
    /// <summary>Takes the lock if it is free, returning a fencing token above every earlier grant's.</summary>
    Task<LockAttempt> TryLockAsync(string resource, string owner, TimeSpan expiry, CancellationToken cancellationToken);

    /// <summary>
    /// Resets the expiry of the owner's lock. With a <paramref name="grantId"/> only that grant is
    /// extended; without one, whichever grant the owner holds.
    /// </summary>
    Task<LockExtension> ExtendAsync(
        string resource, string owner, string? grantId, TimeSpan expiry, CancellationToken cancellationToken);

    /// <summary>Deletes the owner's lock (only that grant when <paramref name="grantId"/> is given).</summary>
    Task<LockStatus> ReleaseAsync(string resource, string owner, string? grantId, CancellationToken cancellationToken);
}
