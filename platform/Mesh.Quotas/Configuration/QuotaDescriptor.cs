namespace Mesh.Quotas.Configuration;

/// <summary>
/// What a call is, as ordered key/value entries (Envoy's descriptor): for example
/// <c>subject=user:42, method=/mesh.v1.Orders/PlaceOrder</c>. Policies match on it and key their
/// buckets by it.
/// </summary>
public sealed class QuotaDescriptor(string scope, IReadOnlyList<KeyValuePair<string, string>> entries, string? keySpace = null)
{
    /// <summary>Where the call comes from: the sidecar's domain, or <c>gateway</c>. Policies match it as <c>domain</c>.</summary>
    public string Scope { get; } = scope;

    /// <summary>
    /// The first part of every bucket key after <c>quotas:</c>: who owns the bucket (<c>gateway</c>,
    /// or <c>sidecar/&lt;app&gt;/&lt;domain&gt;</c>), so each owner's buckets fall under a prefix its
    /// Redis ACL user may touch, and no caller of one can reach another's. Defaults to the scope.
    /// </summary>
    public string KeySpace { get; } = keySpace ?? scope;

    public IReadOnlyList<KeyValuePair<string, string>> Entries { get; } = entries;

    public string? this[string key]
    {
        get
        {
            foreach (var entry in Entries)
            {
                if (string.Equals(entry.Key, key, StringComparison.Ordinal))
                {
                    return entry.Value;
                }
            }

            return null;
        }
    }
}
