namespace Mesh.Locks;

/// <summary>The outcome of an extension; on success the lock is certainly held for <see cref="Validity"/>.</summary>
public readonly record struct LockExtension(LockStatus Status, TimeSpan Validity)
{
    public static LockExtension Failed(LockStatus status) => new(status, TimeSpan.Zero);
}
