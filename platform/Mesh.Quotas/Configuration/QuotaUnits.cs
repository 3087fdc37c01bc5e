namespace Mesh.Quotas.Configuration;

/// <summary>The time units a policy may count in, as Envoy's rate limit service names them.</summary>
public static class QuotaUnits
{
    private static readonly Dictionary<string, double> Seconds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["second"] = 1,
        ["minute"] = 60,
        ["hour"] = 3600,
        ["day"] = 86400,
    };

    public static IReadOnlyCollection<string> Names => Seconds.Keys;

    public static bool TryGetSeconds(string unit, out double seconds) => Seconds.TryGetValue(unit, out seconds);
}
