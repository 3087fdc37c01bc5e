using Mesh.ServiceDefaults.Errors;

namespace Mesh.Sidecar.Locking;

/// <summary>A validated lock call: who wants which resource, and for how long.</summary>
public sealed record LockCommand(string ResourceId, string LockOwner, TimeSpan Expiry)
{
    public const int MaxResourceLength = 512;
    public const int MaxOwnerLength = 256;
    public const int MinExpirySeconds = 1;
    public const int MaxExpirySeconds = 3600;

    public static LockCommand Validate(string resourceId, string lockOwner, int expiryInSeconds)
    {
        var violations = Check(resourceId, lockOwner);
        if (expiryInSeconds is < MinExpirySeconds or > MaxExpirySeconds)
        {
            violations.Add("expiry_in_seconds", $"must be {MinExpirySeconds} to {MaxExpirySeconds}");
        }

        violations.ThrowIfAny();
        return new LockCommand(resourceId, lockOwner, TimeSpan.FromSeconds(expiryInSeconds));
    }

    /// <summary>For Unlock, which names no expiry.</summary>
    public static LockCommand Validate(string resourceId, string lockOwner)
    {
        Check(resourceId, lockOwner).ThrowIfAny();
        return new LockCommand(resourceId, lockOwner, TimeSpan.Zero);
    }

    private static FieldViolations Check(string resourceId, string lockOwner) =>
        new FieldViolations()
            .RequireText("resource_id", resourceId, MaxResourceLength)
            .RequireText("lock_owner", lockOwner, MaxOwnerLength);
}
