using System.Globalization;
using System.Text.RegularExpressions;

namespace Mesh.DeploymentTests.Support;

/// <summary>Memory sizes as redis-server (<c>512mb</c>, <c>1gb</c>, <c>100m</c>) and Kubernetes (<c>256Mi</c>, <c>1G</c>) write them, in bytes.</summary>
public static partial class MemorySize
{
    /// <summary>redis-server's units: <c>kb</c>, <c>mb</c>, <c>gb</c> are powers of 1024, <c>k</c>, <c>m</c>, <c>g</c> of 1000.</summary>
    public static long FromRedis(string text)
    {
        var match = RedisSize().Match(text.Trim());
        if (!match.Success)
        {
            throw new FormatException($"'{text}' is not a redis-server memory size.");
        }

        var factor = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "" or "b" => 1L,
            "k" => 1000L,
            "kb" => 1L << 10,
            "m" => 1_000_000L,
            "mb" => 1L << 20,
            "g" => 1_000_000_000L,
            "gb" => 1L << 30,
            var unit => throw new FormatException($"Unknown redis-server unit '{unit}'."),
        };
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * factor;
    }

    /// <summary>A Kubernetes quantity with a binary (<c>Ki</c>, <c>Mi</c>, <c>Gi</c>) or decimal (<c>k</c>, <c>M</c>, <c>G</c>) suffix.</summary>
    public static long FromKubernetes(string text)
    {
        var match = KubernetesQuantity().Match(text.Trim());
        if (!match.Success)
        {
            throw new FormatException($"'{text}' is not a Kubernetes memory quantity.");
        }

        var factor = match.Groups[2].Value switch
        {
            "" => 1L,
            "k" => 1000L,
            "Ki" => 1L << 10,
            "M" => 1_000_000L,
            "Mi" => 1L << 20,
            "G" => 1_000_000_000L,
            "Gi" => 1L << 30,
            var unit => throw new FormatException($"Unsupported Kubernetes unit '{unit}'."),
        };
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * factor;
    }

    [GeneratedRegex("^([0-9]+)([a-zA-Z]*)$")]
    private static partial Regex RedisSize();

    [GeneratedRegex("^([0-9]+)([a-zA-Z]*)$")]
    private static partial Regex KubernetesQuantity();
}
