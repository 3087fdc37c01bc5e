using System.Text;

namespace Mesh.Locks;

/// <summary>
/// Redis keys of a lock: <c>locks:{resource}:owner</c> (the grant, with a TTL),
/// <c>locks:{resource}:fence</c> (the last fencing token, expiring <c>Locks:FenceRetention</c> after
/// the last grant), and while anyone waits <c>locks:{resource}:queue</c> (waiter ids in arrival
/// order), <c>locks:{resource}:waiters</c> (each waiter's deadline) and <c>locks:{resource}:turns</c>
/// (the grant each waiter asked for, which a release hands over), expiring with the last deadline. The resource is the hash tag, so all keys sit in one Redis Cluster slot and one script
/// can touch them. Braces and <c>%</c> in a resource are percent-encoded, so no resource can break
/// out of its tag. The wake-up channel, <c>locks:{resource}:wake</c>, has the same prefix, so one
/// ACL pattern covers a service's lock keys and channels.
/// </summary>
public static class LockKeys
{
    public const string Prefix = "locks";

    public static string Owner(string resource) => $"{Prefix}:{{{Tag(resource)}}}:owner";

    public static string Fence(string resource) => $"{Prefix}:{{{Tag(resource)}}}:fence";

    public static string Queue(string resource) => $"{Prefix}:{{{Tag(resource)}}}:queue";

    public static string Waiters(string resource) => $"{Prefix}:{{{Tag(resource)}}}:waiters";

    public static string Turns(string resource) => $"{Prefix}:{{{Tag(resource)}}}:turns";

    /// <summary>The pub/sub channel on which a release names the waiter whose turn it is (and the token of the lock it handed over).</summary>
    public static string Wake(string resource) => $"{Prefix}:{{{Tag(resource)}}}:wake";

    private static string Tag(string resource)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        if (resource.AsSpan().IndexOfAny('{', '}', '%') < 0)
        {
            return resource;
        }

        var tag = new StringBuilder(resource.Length + 8);
        foreach (var c in resource)
        {
            tag.Append(c switch { '%' => "%25", '{' => "%7B", '}' => "%7D", _ => c.ToString() });
        }

        return tag.ToString();
    }
}
