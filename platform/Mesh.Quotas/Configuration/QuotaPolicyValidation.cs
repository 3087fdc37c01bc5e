namespace Mesh.Quotas.Configuration;

/// <summary>Everything wrong with a <see cref="QuotaOptions"/>, one readable sentence per problem.</summary>
public static class QuotaPolicyValidation
{
    public static IReadOnlyList<string> Errors(QuotaOptions options)
    {
        var errors = new List<string>();
        Check("Quotas:Default", options.Default, requireMatch: false, errors);
        Check("Quotas:PerEmail", options.PerEmail, requireMatch: false, errors);
        Check("Quotas:EmailCeiling", options.EmailCeiling, requireMatch: false, errors);
        foreach (var (name, policy) in options.Policies)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Any(c => char.IsWhiteSpace(c) || c is '{' or '}' or ':'))
            {
                errors.Add($"Quotas:Policies:'{name}' is not a valid policy name (no spaces, braces or colons).");
            }

            Check($"Quotas:Policies:{name}", policy, requireMatch: true, errors);
        }

        if (options.NearEmptyRatio is < 0 or > 1)
        {
            errors.Add($"Quotas:NearEmptyRatio must lie between 0 and 1, not {options.NearEmptyRatio}.");
        }

        var breaker = options.Breaker;
        if (breaker.Timeout <= TimeSpan.Zero || breaker.BreakDuration < TimeSpan.FromMilliseconds(500)
            || breaker.SamplingDuration < TimeSpan.FromMilliseconds(500) || breaker.FailureRatio is <= 0 or > 1 || breaker.MinimumThroughput < 2)
        {
            errors.Add("Quotas:Breaker needs Timeout > 0, BreakDuration and SamplingDuration >= 0.5 s, 0 < FailureRatio <= 1, MinimumThroughput >= 2.");
        }

        var leases = options.Leases;
        if (leases.Share is < 0 or > 0.5 || leases.Max < 0 || leases.Lifetime <= TimeSpan.Zero)
        {
            errors.Add("Quotas:Leases needs 0 <= Share <= 0.5, Max >= 0 and Lifetime > 0.");
        }

        return errors;
    }

    private static void Check(string path, QuotaPolicyOptions policy, bool requireMatch, List<string> errors)
    {
        if (requireMatch && policy.Match.Count == 0)
        {
            errors.Add($"{path}:Match must name at least one descriptor entry (value '*' matches any value).");
        }

        if (policy.By.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{path}:By must not hold empty entries.");
        }

        if (policy.Unlimited)
        {
            return;
        }

        if (policy.Unit is { } unit && !QuotaUnits.TryGetSeconds(unit, out _))
        {
            errors.Add($"{path}:Unit '{unit}' is unknown; use one of {string.Join(", ", QuotaUnits.Names)}.");
        }

        var byUnit = policy.RequestsPerUnit is not null || policy.Unit is not null;
        if (byUnit && policy.RefillPerSecond is not null)
        {
            errors.Add($"{path} sets both RefillPerSecond and RequestsPerUnit/Unit; choose one.");
        }
        else if (byUnit && (!PositiveFinite(policy.RequestsPerUnit) || policy.Unit is null))
        {
            errors.Add($"{path} needs a finite RequestsPerUnit > 0 together with Unit.");
        }
        else if (!byUnit && !PositiveFinite(policy.RefillPerSecond))
        {
            errors.Add($"{path}:RefillPerSecond must be a finite number greater than zero (or set RequestsPerUnit and Unit, or Unlimited).");
        }

        if (policy.Capacity is { } capacity && capacity is not (> 0 and <= 1e12))
        {
            errors.Add($"{path}:Capacity must be greater than zero, not {capacity}.");
        }
        else if (policy.Capacity is null && !byUnit)
        {
            errors.Add($"{path}:Capacity is required.");
        }

        if (policy.Cost is not > 0)
        {
            errors.Add($"{path}:Cost must be greater than zero, not {policy.Cost}.");
        }
        else if (policy.Cost > (policy.Capacity ?? policy.RequestsPerUnit ?? double.MaxValue))
        {
            errors.Add($"{path}:Cost {policy.Cost} exceeds its capacity, so no call could ever pass.");
        }
    }

    // An infinite rate would refill an empty bucket in no time, and the script's arithmetic would
    // then make NaN, not a decision: a bucket that never runs out is Unlimited.
    private static bool PositiveFinite(double? value) => value is > 0 && double.IsFinite(value.Value);
}
