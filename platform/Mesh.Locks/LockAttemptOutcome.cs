namespace Mesh.Locks;

public enum LockAttemptOutcome
{
    /// <summary>The lock is now held by the caller.</summary>
    Acquired,

    /// <summary>Someone else holds it (or a quorum could not be gathered among the masters that answered).</summary>
    Held,

    /// <summary>Too few masters answered to decide: nothing was granted.</summary>
    Unavailable,
}
