namespace Mesh.DeploymentTests.Support;

/// <summary>
/// A kustomization folder read as source: its resources (objects of the YAML files it lists) and
/// the keys of the ConfigMaps it generates. Rendering is tools/deploy/check.sh's job; these tests
/// check what the base declares and that overlays only refine it.
/// </summary>
public sealed class Kustomization
{
    private Kustomization(string directory)
    {
        Directory = directory;
        Root = Yaml.LoadMap(Repository.PathOf($"{directory}/kustomization.yaml"));
        Resources = Root.List("resources").OfType<string>().ToList();
        Objects = Resources
            .Where(r => r.EndsWith(".yaml", StringComparison.Ordinal) || r.EndsWith(".yml", StringComparison.Ordinal))
            .SelectMany(r => Yaml.LoadDocuments(Repository.PathOf($"{directory}/{r}")).Select(doc => new KubernetesObject(
                doc.Text("kind") ?? "", doc.Map("metadata").Text("name") ?? "", doc, $"{directory}/{r}")))
            .ToList();
        ConfigMaps = Root.Maps("configMapGenerator").ToDictionary(g => g.Text("name") ?? "", GeneratedKeys);
        GeneratedSecrets = Root.Maps("secretGenerator").Select(g => g.Text("name") ?? "").ToList();
    }

    public static Kustomization Base { get; } = new("k8s/base");

    public static IReadOnlyList<Kustomization> Overlays { get; } =
        System.IO.Directory.EnumerateDirectories(Repository.PathOf("k8s/overlays"))
            .Where(d => File.Exists(Path.Combine(d, "kustomization.yaml")))
            .Order(StringComparer.Ordinal)
            .Select(d => new Kustomization(Repository.Relative(d)))
            .ToList();

    public string Directory { get; }

    public Dictionary<string, object?> Root { get; }

    public IReadOnlyList<string> Resources { get; }

    public IReadOnlyList<KubernetesObject> Objects { get; }

    /// <summary>Generated ConfigMaps: name to keys and values.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ConfigMaps { get; }

    public IReadOnlyList<string> GeneratedSecrets { get; }

    public IEnumerable<KubernetesObject> OfKind(string kind) => Objects.Where(o => o.Kind == kind);

    public KubernetesObject? Find(string kind, string name) => Objects.SingleOrDefault(o => o.Kind == kind && o.Name == name);

    /// <summary>What a container starts with: its image's ENV, the ConfigMaps of envFrom, then env.</summary>
    public IReadOnlyDictionary<string, string> EffectiveEnvironment(Dictionary<string, object?> container, Runnable runnable)
    {
        var environment = new Dictionary<string, string>(ComposeFile.Instance.ImageEnvironment(runnable), StringComparer.Ordinal);
        foreach (var source in container.Maps("envFrom"))
        {
            var name = source.Map("configMapRef").Text("name");
            if (name is not null && ConfigMaps.TryGetValue(name, out var keys))
            {
                foreach (var (key, value) in keys)
                {
                    environment[key] = value;
                }
            }
        }

        foreach (var variable in container.Maps("env"))
        {
            environment[variable.Text("name") ?? ""] = variable.Text("value") ?? "(valueFrom)";
        }

        return environment;
    }

    private IReadOnlyDictionary<string, string> GeneratedKeys(Dictionary<string, object?> generator)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in generator.List("envs").OfType<string>())
        {
            foreach (var line in File.ReadAllLines(Repository.PathOf($"{Directory}/{file}")))
            {
                var text = line.Trim();
                var equals = text.IndexOf('=');
                if (text.Length > 0 && !text.StartsWith('#') && equals > 0)
                {
                    keys[text[..equals]] = text[(equals + 1)..];
                }
            }
        }

        foreach (var literal in generator.List("literals").OfType<string>())
        {
            var equals = literal.IndexOf('=');
            keys[literal[..equals]] = literal[(equals + 1)..];
        }

        foreach (var file in generator.List("files").OfType<string>())
        {
            var equals = file.IndexOf('=');
            keys[equals > 0 ? file[..equals] : Path.GetFileName(file)] = "(file)";
        }

        return keys;
    }
}
