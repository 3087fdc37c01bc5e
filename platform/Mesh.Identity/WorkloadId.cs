namespace Mesh.Identity;

/// <summary>
/// A workload's identity in SPIFFE form, <c>spiffe://&lt;trust domain&gt;/&lt;name&gt;</c>, as the URI SAN
/// of its certificate names it: the gateway, a service, the sidecar or the operator.
/// </summary>
public sealed record WorkloadId(string TrustDomain, string Name)
{
    public const string Scheme = "spiffe";

    public Uri Uri => new($"{Scheme}://{TrustDomain}/{Name}");

    public override string ToString() => $"{Scheme}://{TrustDomain}/{Name}";

    /// <summary>A SPIFFE id with one path segment, e.g. <c>spiffe://mesh.local/orders</c>; null for anything else.</summary>
    public static WorkloadId? TryParse(Uri uri)
    {
        if (!string.Equals(uri.Scheme, Scheme, StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(uri.Host))
        {
            return null;
        }

        var name = uri.AbsolutePath.Trim('/');
        return name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || uri.Query.Length > 0 || uri.Fragment.Length > 0
            ? null
            : new WorkloadId(uri.Host.ToLowerInvariant(), name);
    }
}
