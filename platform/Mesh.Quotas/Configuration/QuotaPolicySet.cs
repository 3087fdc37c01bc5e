namespace Mesh.Quotas.Configuration;

/// <summary>
/// An immutable, validated policy set compiled from <see cref="QuotaOptions"/>; a reload builds a
/// new one whole and swaps it in, so a call never sees half of a change.
/// </summary>
public sealed class QuotaPolicySet
{
    private QuotaPolicySet(QuotaOptions options, QuotaRule defaultRule, QuotaRule perEmail, QuotaRule emailCeiling, IReadOnlyList<QuotaRule> rules)
    {
        Enabled = options.Enabled;
        DenyCache = options.DenyCache;
        NearEmptyRatio = options.NearEmptyRatio;
        Breaker = options.Breaker;
        Leases = options.Leases;
        MetadataKeys = rules.Concat([defaultRule])
            .SelectMany(r => r.DescriptorKeys)
            .Where(k => k.StartsWith(MetadataPrefix, StringComparison.Ordinal))
            .Select(k => k[MetadataPrefix.Length..])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Default = defaultRule;
        PerEmail = perEmail;
        EmailCeiling = emailCeiling;
        Rules = rules;
        _policyMethods = rules.SelectMany(r => r.MatchValues(MethodKey))
            .Where(m => m != "*")
            .Select(m => m.TrimEnd('/'))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToDictionary(m => m, m => m, StringComparer.OrdinalIgnoreCase);
    }

    private readonly Dictionary<string, string> _policyMethods;

    /// <summary>The descriptor key that names a gRPC method (<c>/package.Service/Method</c>).</summary>
    public const string MethodKey = "method";

    /// <summary>Descriptor keys <c>metadata.&lt;name&gt;</c> take their value from that request header.</summary>
    public const string MetadataPrefix = "metadata.";

    public bool Enabled { get; }

    /// <summary>The request metadata (header) names some policy matches or keys on.</summary>
    public IReadOnlyList<string> MetadataKeys { get; }

    public bool DenyCache { get; }

    public double NearEmptyRatio { get; }

    /// <summary>Read once, when the engine starts; see <see cref="QuotaBreakerOptions"/>.</summary>
    public QuotaBreakerOptions Breaker { get; }

    public QuotaLeaseOptions Leases { get; }

    /// <summary>Whole tokens to lease besides the cost of a call on this policy's bucket; 0 for none.</summary>
    public double LeaseSize(QuotaPolicy policy, double cost)
    {
        if (policy.Shadow || Leases.Share <= 0)
        {
            return 0;
        }

        var size = Math.Floor(Math.Min(Leases.Max, Leases.Share * policy.Capacity));
        return size >= cost ? size : 0;
    }

    public QuotaRule Default { get; }

    /// <summary>The gateway's bucket of failed Logins per email and client address.</summary>
    public QuotaRule PerEmail { get; }

    /// <summary>The gateway's bucket of failed Logins per email, whatever the address.</summary>
    public QuotaRule EmailCeiling { get; }

    public IReadOnlyList<QuotaRule> Rules { get; }

    /// <summary>
    /// One spelling for every way of writing a gRPC method: servers match method paths without
    /// regard to case or a trailing slash, so a caller that varies them must not get a fresh bucket.
    /// A method a policy names keeps the policy's spelling (so the policy matches); any other is
    /// lower-cased. Trailing slashes are dropped.
    /// </summary>
    public string CanonicalMethod(string method)
    {
        var trimmed = method.TrimEnd('/');
        return _policyMethods.TryGetValue(trimmed, out var named) ? named : trimmed.ToLowerInvariant();
    }

    /// <summary>Compiles <paramref name="options"/>, or throws <see cref="QuotaConfigurationException"/> listing every problem.</summary>
    public static QuotaPolicySet Compile(QuotaOptions options)
    {
        var errors = QuotaPolicyValidation.Errors(options);
        if (errors.Count > 0)
        {
            throw new QuotaConfigurationException(errors);
        }

        var rules = options.Policies
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => Rule(p.Key, p.Value, options.FailureMode))
            .ToList();
        return new QuotaPolicySet(
            options,
            Rule("default", options.Default, options.FailureMode),
            Rule("per-email", options.PerEmail, options.FailureMode),
            Rule("email-ceiling", options.EmailCeiling, options.FailureMode),
            rules);
    }

    /// <summary>
    /// The charges for one descriptor: every matching policy, or the default when none matches.
    /// Unlimited policies match but charge nothing. <paramref name="hits"/> multiplies each cost.
    /// </summary>
    public void Resolve(QuotaDescriptor descriptor, double hits, List<QuotaCharge> charges)
    {
        var matched = false;
        foreach (var rule in Rules)
        {
            if (!rule.Matches(descriptor))
            {
                continue;
            }

            matched = true;
            if (!rule.Unlimited)
            {
                charges.Add(new QuotaCharge(rule.KeyFor(descriptor), rule.Policy, rule.Policy.Cost * hits));
            }
        }

        if (!matched && !Default.Unlimited)
        {
            charges.Add(new QuotaCharge(Default.KeyFor(descriptor), Default.Policy, Default.Policy.Cost * hits));
        }
    }

    private static QuotaRule Rule(string name, QuotaPolicyOptions options, QuotaFailureMode fallback)
    {
        var refill = options.RefillPerSecond ?? Rate(options);
        var capacity = options.Capacity ?? options.RequestsPerUnit ?? 1;
        var policy = new QuotaPolicy(name, capacity, refill)
        {
            Cost = options.Cost,
            Shadow = options.Shadow,
            FailureMode = options.FailureMode ?? fallback,
        };
        return new QuotaRule(policy, new Dictionary<string, string>(options.Match, StringComparer.Ordinal), [.. options.By], options.Unlimited);
    }

    private static double Rate(QuotaPolicyOptions options) =>
        options.RequestsPerUnit is { } requests && options.Unit is { } unit && QuotaUnits.TryGetSeconds(unit, out var seconds)
            ? requests / seconds
            : 1;
}
