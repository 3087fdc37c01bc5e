namespace Mesh.Locks;

/// <summary>
/// One acquisition: <paramref name="Owner"/> wants <paramref name="Resource"/> for
/// <paramref name="Expiry"/>, waiting at most <paramref name="WaitTime"/>: in the resource's queue
/// on a single Redis, by an attempt every <paramref name="RetryInterval"/> (jittered) under Redlock.
/// With <paramref name="AutoExtend"/> the handle renews the lock while it is held.
/// </summary>
public sealed record LockRequest(
    string Resource,
    string Owner,
    TimeSpan Expiry,
    TimeSpan WaitTime,
    TimeSpan RetryInterval,
    bool AutoExtend = true)
{
    /// <summary>A request with the configured defaults.</summary>
    public static LockRequest WithDefaults(string resource, string owner, LockOptions options) =>
        new(resource, owner, options.Expiry, options.WaitTime, options.RetryInterval);
}
