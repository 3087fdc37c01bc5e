namespace Mesh.QuotaTests.Infrastructure;

/// <summary>Configuration dictionaries for the harness, written as the <c>Quotas</c> section would be.</summary>
public static class Settings
{
    public static Dictionary<string, string?> QuotaSection(double capacity, double refillPerSecond, params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Quotas:Default:Capacity"] = Invariant(capacity),
            ["Quotas:Default:RefillPerSecond"] = Invariant(refillPerSecond),
            // Past the breaker's timeout a decision fails open or closed. The default (500 ms) is
            // for production; a fresh connection's first script on a loaded machine can take longer.
            // Tests of the breaker set their own.
            ["Quotas:Breaker:Timeout"] = "00:00:10",
        };
        foreach (var (key, value) in more)
        {
            settings[key.StartsWith("Quotas:", StringComparison.Ordinal) ? key : $"Quotas:{key}"] = value;
        }

        return settings;
    }

    /// <summary>The settings of one named policy: <c>Policies:&lt;name&gt;:&lt;key&gt;</c>.</summary>
    public static (string, string?)[] Policy(string name, params (string Key, object Value)[] values) =>
        values.Select(v => ($"Quotas:Policies:{name}:{v.Key}", (string?)Invariant(v.Value))).ToArray();

    private static string Invariant(object value) => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;
}
