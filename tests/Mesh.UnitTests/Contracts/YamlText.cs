using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Mesh.UnitTests.Contracts;

/// <summary>
/// Writes a tree of <see cref="YamlMap"/>, lists and scalars as block-style YAML: what the AsyncAPI
/// document needs, no more. Strings that could read as anything else are double-quoted; multi-line
/// strings become literal blocks.
/// </summary>
internal static partial class YamlText
{
    public static string Write(YamlMap root)
    {
        var text = new StringBuilder();
        WriteMap(text, root, indent: 0);
        return text.ToString();
    }

    private static void WriteMap(StringBuilder text, YamlMap map, int indent)
    {
        foreach (var (key, value) in map)
        {
            text.Append(' ', indent).Append(Scalar(key)).Append(':');
            WriteValue(text, value, indent);
        }
    }

    private static void WriteValue(StringBuilder text, object value, int indent)
    {
        switch (value)
        {
            case YamlMap { Count: 0 }:
                text.Append(" {}\n");
                break;
            case YamlMap map:
                text.Append('\n');
                WriteMap(text, map, indent + 2);
                break;
            case IReadOnlyList<object> { Count: 0 }:
                text.Append(" []\n");
                break;
            case IReadOnlyList<object> list:
                text.Append('\n');
                foreach (var item in list)
                {
                    WriteItem(text, item, indent + 2);
                }

                break;
            case string multiline when multiline.Contains('\n', StringComparison.Ordinal):
                text.Append(" |-\n");
                foreach (var line in multiline.Split('\n'))
                {
                    text.Append(line.Length == 0 ? "" : new string(' ', indent + 2) + line).Append('\n');
                }

                break;
            default:
                text.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static void WriteItem(StringBuilder text, object item, int indent)
    {
        if (item is YamlMap { Count: > 0 } map)
        {
            // The first entry shares the dash's line; the rest align under it.
            var first = true;
            foreach (var (key, value) in map)
            {
                text.Append(first ? new string(' ', indent) + "- " : new string(' ', indent + 2)).Append(Scalar(key)).Append(':');
                WriteValue(text, value, indent + 2);
                first = false;
            }

            return;
        }

        text.Append(' ', indent).Append("- ").Append(Scalar(item)).Append('\n');
    }

    private static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        int or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        string s when Plain().IsMatch(s) && !Reserved.Contains(s) => s,
        string s => Quote(s),
        _ => throw new ArgumentException($"No YAML form for {value.GetType()}", nameof(value)),
    };

    private static string Quote(string s)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in s)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    private static readonly HashSet<string> Reserved =
        new(["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"], StringComparer.OrdinalIgnoreCase);

    // Starts with a letter and holds nothing YAML gives a meaning to (no ": ", " #", flow characters, spaces).
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_./;=+-]*$")]
    private static partial Regex Plain();
}
