using Mesh.Quotas;
using Mesh.Quotas.Configuration;
using Mesh.ServiceDefaults.Errors;
using Mesh.Sidecar.Apps;

namespace Mesh.Sidecar.RateLimiting;

/// <summary>
/// Maps a domain and its descriptors to the <c>Quotas</c> policies (a descriptor that matches
/// none falls under the default) and decides all of them in one engine call, all or nothing.
/// A <c>method</c> entry counts in its canonical spelling (<see cref="QuotaPolicySet.CanonicalMethod"/>),
/// so a caller cannot dodge a bucket by changing the case of a gRPC path. Buckets live in the calling
/// app's own key space: policies are shared, their buckets are not.
/// </summary>
public sealed class SidecarRateLimiter(IQuotaEngine engine, QuotaPolicySource policies)
{
    private const int MaxDescriptors = 64;

    public async Task<RateLimitCheck> CheckAsync(
        SidecarCaller caller, string domain, IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> descriptors, uint hits,
        CancellationToken cancellationToken)
    {
        Validate(domain, descriptors);
        var set = policies.Current;
        if (!set.Enabled)
        {
            return new RateLimitCheck(QuotaVerdict.Empty, [.. descriptors.Select(_ => -1)]);
        }

        var charges = new List<QuotaCharge>();
        var ranges = new List<(int Start, int Count)>(descriptors.Count);
        foreach (var entries in descriptors)
        {
            var start = charges.Count;
            set.Resolve(new QuotaDescriptor(domain, Canonical(entries, set), caller.QuotaKeySpace(domain)), Math.Max(1, hits), charges);
            ranges.Add((start, charges.Count - start));
        }

        var verdict = await engine.DecideAsync(charges, cancellationToken);
        return new RateLimitCheck(verdict, [.. ranges.Select(r => verdict.DecidingAmong(r.Start, r.Count))]);
    }

    private static IReadOnlyList<KeyValuePair<string, string>> Canonical(IReadOnlyList<KeyValuePair<string, string>> entries, QuotaPolicySet set)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Key == QuotaPolicySet.MethodKey)
            {
                return [.. entries.Select(e => e.Key == QuotaPolicySet.MethodKey ? KeyValuePair.Create(e.Key, set.CanonicalMethod(e.Value)) : e)];
            }
        }

        return entries;
    }

    private static void Validate(string domain, IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> descriptors)
    {
        var violations = new FieldViolations();
        if (string.IsNullOrWhiteSpace(domain))
        {
            violations.Add("domain", "A domain is required.");
        }

        if (descriptors.Count is 0 or > MaxDescriptors)
        {
            violations.Add("descriptors", $"Between 1 and {MaxDescriptors} descriptors are required.");
        }

        for (var i = 0; i < descriptors.Count; i++)
        {
            if (descriptors[i].Count == 0 || descriptors[i].Any(e => string.IsNullOrEmpty(e.Key)))
            {
                violations.Add($"descriptors[{i}].entries", "Every descriptor needs at least one entry, each with a key.");
            }
        }

        violations.ThrowIfAny();
    }
}
