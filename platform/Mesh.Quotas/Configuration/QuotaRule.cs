using System.Text;

namespace Mesh.Quotas.Configuration;

/// <summary>A compiled policy: when it applies to a descriptor, and which bucket it charges.</summary>
public sealed class QuotaRule(QuotaPolicy policy, IReadOnlyDictionary<string, string> match, IReadOnlyList<string> by, bool unlimited)
{
    /// <summary>Descriptor key that matches the scope (the sidecar's domain, <c>gateway</c> at the gateway).</summary>
    public const string DomainKey = "domain";

    private const string AnyValue = "*";

    public QuotaPolicy Policy { get; } = policy;

    public bool Unlimited { get; } = unlimited;

    /// <summary>The value this rule requires for <paramref name="key"/>, if it names one.</summary>
    public IEnumerable<string> MatchValues(string key) =>
        match.TryGetValue(key, out var value) ? [value] : [];

    /// <summary>Every descriptor key this rule reads.</summary>
    public IEnumerable<string> DescriptorKeys => match.Keys.Concat(by);

    public bool Matches(QuotaDescriptor descriptor)
    {
        foreach (var (key, expected) in match)
        {
            var actual = key == DomainKey ? descriptor.Scope : descriptor[key];
            if (actual is null || (expected != AnyValue && !string.Equals(actual, expected, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        foreach (var key in by)
        {
            if (descriptor[key] is null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <c>quotas:keyspace:{tag}:policy:k=v|k=v</c>. The hash tag is the first value of the bucket's
    /// own identity, so a bucket lands in one slot whichever call charges it, and the buckets of
    /// one caller (user or address first) share that slot and one script.
    /// </summary>
    public string KeyFor(QuotaDescriptor descriptor)
    {
        var entries = by.Count == 0
            ? descriptor.Entries
            : by.Select(key => new KeyValuePair<string, string>(key, descriptor[key]!)).ToList();
        var tag = entries.Count == 0 ? "_" : Sanitize(entries[0].Value);
        var key = new StringBuilder("quotas:").Append(descriptor.KeySpace).Append(":{").Append(tag).Append("}:").Append(Policy.Name).Append(':');
        for (var i = 0; i < entries.Count; i++)
        {
            key.Append(i == 0 ? "" : "|").Append(entries[i].Key).Append('=').Append(entries[i].Value);
        }

        return key.ToString();
    }

    private static string Sanitize(string value)
    {
        var clean = value.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal);
        return clean.Length == 0 ? "_" : clean;
    }
}
