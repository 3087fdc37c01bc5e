namespace Mesh.Locks;

/// <summary>The outcome of extending or releasing an owner's lock.</summary>
public enum LockStatus
{
    Success,
    DoesNotExist,
    BelongsToOthers,

    /// <summary>Too few masters answered; the lock may still exist until it expires.</summary>
    Unavailable,
}
