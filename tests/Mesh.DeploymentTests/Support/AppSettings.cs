using System.Text.Json;

namespace Mesh.DeploymentTests.Support;

/// <summary>
/// The configuration keys of an appsettings.json file as .NET configuration sees them
/// (<c>Section:Key</c>), each with its value; an empty array or object is a key without value.
/// </summary>
public static class AppSettings
{
    public static IReadOnlyDictionary<string, string?> Flatten(string json)
    {
        var keys = new SortedDictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        Add(keys, "", document.RootElement);
        return keys;
    }

    public static IReadOnlyDictionary<string, string?> Load(string path) =>
        File.Exists(path) ? Flatten(File.ReadAllText(path)) : new Dictionary<string, string?>();

    private static void Add(SortedDictionary<string, string?> keys, string prefix, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = element.EnumerateObject().ToList();
                if (properties.Count == 0 && prefix.Length > 0)
                {
                    keys[prefix] = null;
                }

                foreach (var property in properties)
                {
                    Add(keys, Join(prefix, property.Name), property.Value);
                }

                break;
            case JsonValueKind.Array:
                var items = element.EnumerateArray().ToList();
                if (items.Count == 0)
                {
                    keys[prefix] = null;
                }

                for (var i = 0; i < items.Count; i++)
                {
                    Add(keys, Join(prefix, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), items[i]);
                }

                break;
            default:
                keys[prefix] = element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText();
                break;
        }
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}:{name}";
}
