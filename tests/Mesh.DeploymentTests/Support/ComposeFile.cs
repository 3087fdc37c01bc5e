namespace Mesh.DeploymentTests.Support;

/// <summary>docker-compose.yml, read with anchors and merge keys resolved.</summary>
public sealed class ComposeFile
{
    public const string RelativePath = "docker-compose.yml";

    private ComposeFile(Dictionary<string, object?> root) =>
        Services = root.Map("services")?.ToDictionary(s => s.Key, s => s.Value as Dictionary<string, object?> ?? [])
            ?? throw new InvalidOperationException($"{RelativePath} has no services.");

    public static ComposeFile Instance { get; } = new(Yaml.LoadMap(Repository.PathOf(RelativePath)));

    public IReadOnlyDictionary<string, Dictionary<string, object?>> Services { get; }

    /// <summary>The service's <c>environment</c>, in map or list form.</summary>
    public IReadOnlyDictionary<string, string> Environment(string service)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Services.TryGetValue(service, out var definition) || !definition.TryGetValue("environment", out var value))
        {
            return environment;
        }

        if (value is Dictionary<string, object?> map)
        {
            foreach (var (key, item) in map)
            {
                environment[key] = item as string ?? "";
            }
        }
        else if (value is List<object?> list)
        {
            foreach (var item in list.OfType<string>())
            {
                var equals = item.IndexOf('=');
                environment[equals < 0 ? item : item[..equals]] = equals < 0 ? "" : item[(equals + 1)..];
            }
        }

        return environment;
    }

    /// <summary>The service's build arguments (<c>build.args</c>), in map or list form.</summary>
    public IReadOnlyDictionary<string, string> BuildArguments(string service)
    {
        var value = Services.GetValueOrDefault(service).Map("build")?.GetValueOrDefault("args");
        return value switch
        {
            Dictionary<string, object?> map => map.ToDictionary(e => e.Key, e => e.Value as string ?? "", StringComparer.Ordinal),
            List<object?> list => list.OfType<string>().Select(a => a.Split('=', 2)).ToDictionary(
                a => a[0], a => a.Length == 2 ? a[1] : "", StringComparer.Ordinal),
            _ => new Dictionary<string, string>(StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// The ENV of the runnable's image, mesh/&lt;name&gt;: the root Dockerfile built with the service's
    /// arguments. Kubernetes runs the same images (k8s/README.md builds them with Compose).
    /// </summary>
    public IReadOnlyDictionary<string, string> ImageEnvironment(Runnable runnable) =>
        Dockerfile.Instance.Environment(BuildArguments(runnable.Name));

    /// <summary>What the runnable's container starts with: its image's ENV, then the compose environment.</summary>
    public IReadOnlyDictionary<string, string> EffectiveEnvironment(Runnable runnable)
    {
        var environment = new Dictionary<string, string>(ImageEnvironment(runnable), StringComparer.Ordinal);
        foreach (var (key, value) in Environment(runnable.Name))
        {
            environment[key] = value;
        }

        return environment;
    }

    public IReadOnlyList<string> PublishedPorts(string service) =>
        Services[service].List("ports").Select(p => p switch
        {
            string text => text,
            Dictionary<string, object?> map => $"{map.Text("published")}:{map.Text("target")}",
            _ => "",
        }).ToList();

    public IReadOnlyDictionary<string, string> DependsOn(string service)
    {
        var value = Services[service].GetValueOrDefault("depends_on");
        return value switch
        {
            Dictionary<string, object?> map => map.ToDictionary(
                e => e.Key, e => (e.Value as Dictionary<string, object?>).Text("condition") ?? "service_started"),
            List<object?> list => list.OfType<string>().ToDictionary(s => s, _ => "service_started"),
            _ => new Dictionary<string, string>(),
        };
    }
}
