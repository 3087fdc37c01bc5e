namespace Mesh.Coordination.Quotas.Configuration;

/// <summary>
/// What a call is, as ordered key/value entries (Envoy's descriptor): for example
/// <c>subject=user:42, method=/mesh.v1.Orders/PlaceOrder</c>. Policies match on it and key their
/// buckets by it.
/// </summary>
public sealed class QuotaDescriptor(string scope, IReadOnlyList<KeyValuePair<string, string>> entries)
{
    /// <summary>Where the call comes from: the sidecar's domain, or <c>gateway</c>. Part of every key.</summary>
    public string Scope { get; } = scope;

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
