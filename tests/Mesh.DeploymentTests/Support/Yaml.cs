using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Mesh.DeploymentTests.Support;

/// <summary>
/// Loads YAML into plain values: <see cref="Dictionary{TKey,TValue}"/> with string keys, lists and
/// strings (scalars stay text, as Compose and Kubernetes read them). Anchors and merge keys
/// (<c>&lt;&lt;: *anchor</c>) are resolved.
/// </summary>
public static class Yaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    public static IReadOnlyList<Dictionary<string, object?>> LoadDocuments(string path)
    {
        using var reader = new StringReader(File.ReadAllText(path));
        var parser = new MergingParser(new Parser(reader));
        parser.Consume<StreamStart>();
        var documents = new List<Dictionary<string, object?>>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (Normalize(Deserializer.Deserialize<object?>(parser)) is Dictionary<string, object?> map)
            {
                documents.Add(map);
            }
        }

        return documents;
    }

    /// <summary>The mappings of a file that holds one YAML sequence (a JSON 6902 patch).</summary>
    public static IReadOnlyList<Dictionary<string, object?>> LoadSequence(string path)
    {
        using var reader = new StringReader(File.ReadAllText(path));
        return Normalize(Deserializer.Deserialize<object?>(new MergingParser(new Parser(reader)))) is List<object?> items
            ? items.OfType<Dictionary<string, object?>>().ToList()
            : throw new InvalidOperationException($"{path} holds no YAML sequence.");
    }

    public static Dictionary<string, object?> LoadMap(string path) =>
        LoadDocuments(path).SingleOrDefault() ?? throw new InvalidOperationException($"{path} holds no YAML mapping.");

    private static object? Normalize(object? value) => value switch
    {
        IDictionary<object, object?> map => map.ToDictionary(e => e.Key.ToString() ?? "", e => Normalize(e.Value)),
        IList<object?> list => list.Select(Normalize).ToList(),
        null => null,
        _ => value.ToString(),
    };
}
