using Mesh.ServiceDefaults.Errors;

namespace Mesh.Sidecar.Locking;

/// <summary>A validated lock call: who wants which resource, and for how long.</summary>
public sealed record LockCommand(string ResourceId, string LockOwner, TimeSpan Expiry)
{
    public const int MaxResourceLength = 512;
    public const int MaxOwnerLength = 256;
    public const int MinExpirySeconds = 1;
    public const int MaxExpirySeconds = 3600;

    /// <summary>For TryLock and Extend; <paramref name="violations"/> may already hold the caller's own (Dapr's store name).</summary>
    public static LockCommand Validate(string resourceId, string lockOwner, int expiryInSeconds, FieldViolations? violations = null)
    {
        violations = Check(violations ?? new FieldViolations(), resourceId, lockOwner);
        if (expiryInSeconds is < MinExpirySeconds or > MaxExpirySeconds)
        {
            violations.Add("expiry_in_seconds", $"must be {MinExpirySeconds} to {MaxExpirySeconds}");
        }

        violations.ThrowIfAny();
        return new LockCommand(resourceId, lockOwner, TimeSpan.FromSeconds(expiryInSeconds));
    }

    /// <summary>For Unlock, which names no expiry.</summary>
    public static LockCommand Validate(string resourceId, string lockOwner, FieldViolations? violations = null)
    {
        Check(violations ?? new FieldViolations(), resourceId, lockOwner).ThrowIfAny();
        return new LockCommand(resourceId, lockOwner, TimeSpan.Zero);
    }

    private static FieldViolations Check(FieldViolations violations, string resourceId, string lockOwner) =>
        violations
            .RequireText("resource_id", resourceId, MaxResourceLength)
            .RequireText("lock_owner", lockOwner, MaxOwnerLength);
}
