namespace Mesh.Locks;

/// <summary>Acquires distributed locks that renew themselves while held.</summary>
public interface ILockManager
{
    /// <summary>
    /// Tries to take the lock until the request's wait time runs out. Returns null when someone
    /// else held it the whole time; throws <see cref="LockUnavailableException"/> when the last
    /// attempt could not reach Redis (or a quorum of masters). Never grants without a quorum.
    /// </summary>
    Task<LockHandle?> TryAcquireAsync(LockRequest request, CancellationToken cancellationToken);

    /// <summary>As <see cref="TryAcquireAsync(LockRequest, CancellationToken)"/> with the configured defaults.</summary>
    Task<LockHandle?> TryAcquireAsync(string resource, string owner, CancellationToken cancellationToken);
}
