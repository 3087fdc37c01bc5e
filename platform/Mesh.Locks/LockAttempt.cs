namespace Mesh.Locks;

/// <summary>
/// The outcome of one attempt. When acquired, <see cref="FencingToken"/> is above every earlier
/// grant's for the resource, <see cref="Validity"/> is how long the lock is certainly held
/// (expiry less the time the attempt took and the allowance for clock drift), and
/// <see cref="GrantId"/> tells this grant apart from the owner's other grants.
/// </summary>
public readonly record struct LockAttempt(LockAttemptOutcome Outcome, long FencingToken, TimeSpan Validity, string GrantId)
{
    public bool Acquired => Outcome == LockAttemptOutcome.Acquired;

    public static LockAttempt Held { get; } = new(LockAttemptOutcome.Held, 0, TimeSpan.Zero, "");

    public static LockAttempt Unavailable { get; } = new(LockAttemptOutcome.Unavailable, 0, TimeSpan.Zero, "");
}
