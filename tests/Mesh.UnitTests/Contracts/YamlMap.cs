namespace Mesh.UnitTests.Contracts;

/// <summary>A YAML mapping whose keys keep the order they were added in.</summary>
internal sealed class YamlMap : List<KeyValuePair<string, object>>
{
    public void Add(string key, object value) => Add(new KeyValuePair<string, object>(key, value));
}
