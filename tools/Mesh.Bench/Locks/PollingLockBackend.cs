using Mesh.Locks;

namespace Mesh.Bench.Locks;

/// <summary>
/// A backend with its queue hidden: <see cref="LockManager"/> then polls it, as it polls Redlock
/// masters and as it polled every backend before waiters queued. The contended baseline.
/// </summary>
public sealed class PollingLockBackend(ILockBackend backend) : ILockBackend
{
    public Task<LockAttempt> TryLockAsync(string resource, string owner, TimeSpan expiry, CancellationToken cancellationToken) =>
        backend.TryLockAsync(resource, owner, expiry, cancellationToken);

    public Task<LockExtension> ExtendAsync(
        string resource, string owner, string? grantId, TimeSpan expiry, CancellationToken cancellationToken) =>
        backend.ExtendAsync(resource, owner, grantId, expiry, cancellationToken);

    public Task<LockStatus> ReleaseAsync(string resource, string owner, string? grantId, CancellationToken cancellationToken) =>
        backend.ReleaseAsync(resource, owner, grantId, cancellationToken);
}
