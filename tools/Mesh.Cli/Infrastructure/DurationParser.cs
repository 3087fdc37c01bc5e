using System.CommandLine.Parsing;
using System.Globalization;

namespace Mesh.Cli.Infrastructure;

/// <summary>Parses durations written the way people type them: <c>500ms</c>, <c>60s</c>, <c>2m</c>, <c>1h</c> or <c>00:01:00</c>.</summary>
public static class DurationParser
{
    private static readonly (string Suffix, Func<double, TimeSpan> Create)[] Units =
    [
        ("ms", TimeSpan.FromMilliseconds),
        ("s", TimeSpan.FromSeconds),
        ("m", TimeSpan.FromMinutes),
        ("h", TimeSpan.FromHours),
    ];

    public static bool TryParse(string text, out TimeSpan duration)
    {
        foreach (var (suffix, create) in Units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
                && amount > 0)
            {
                duration = create(amount);
                return true;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
    }

    /// <summary>A System.CommandLine custom parser for <see cref="TimeSpan"/> options.</summary>
    public static TimeSpan Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (TryParse(text, out var duration))
        {
            return duration;
        }

        result.AddError($"'{text}' is not a duration; use for example 500ms, 60s, 2m or 00:01:00.");
        return default;
    }
}
