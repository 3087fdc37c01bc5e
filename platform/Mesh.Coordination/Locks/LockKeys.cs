using System.Text;

namespace Mesh.Coordination.Locks;

/// <summary>
/// Redis keys of a lock: <c>locks:{resource}:owner</c> (the grant, with a TTL) and
/// <c>locks:{resource}:fence</c> (the last fencing token, expiring <c>Locks:FenceRetention</c> after
/// the last grant). The resource is the hash
/// tag, so both keys sit in one Redis Cluster slot and one script can touch them. Braces and
/// <c>%</c> in a resource are percent-encoded, so no resource can break out of its tag.
/// </summary>
public static class LockKeys
{
    public const string Prefix = "locks";

    public static string Owner(string resource) => $"{Prefix}:{{{Tag(resource)}}}:owner";

    public static string Fence(string resource) => $"{Prefix}:{{{Tag(resource)}}}:fence";

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
