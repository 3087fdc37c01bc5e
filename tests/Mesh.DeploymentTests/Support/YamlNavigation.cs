namespace Mesh.DeploymentTests.Support;

/// <summary>Reads values out of <see cref="Yaml"/>'s plain maps and lists.</summary>
public static class YamlNavigation
{
    public static Dictionary<string, object?>? Map(this Dictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value as Dictionary<string, object?> : null;

    public static IReadOnlyList<object?> List(this Dictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) && value is List<object?> list ? list : [];

    public static IEnumerable<Dictionary<string, object?>> Maps(this Dictionary<string, object?>? map, string key) =>
        map.List(key).OfType<Dictionary<string, object?>>();

    public static string? Text(this Dictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value as string : null;

    /// <summary>Follows a path of keys, e.g. <c>At("spec", "template", "spec")</c>.</summary>
    public static Dictionary<string, object?>? At(this Dictionary<string, object?>? map, params string[] keys) =>
        keys.Aggregate(map, (current, key) => current.Map(key));
}
