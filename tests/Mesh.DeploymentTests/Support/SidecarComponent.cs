namespace Mesh.DeploymentTests.Support;

/// <summary>
/// k8s/components/coordination-sidecar read as source: the Deployment fragment its strategic-merge
/// patch adds to every Deployment of a kustomization that includes it (the native sidecar, its
/// volumes, the pod label) and the variables its JSON patch appends to the app container.
/// </summary>
public sealed class SidecarComponent
{
    public const string Directory = "k8s/components/coordination-sidecar";
    private const string AppEnvironmentPath = "/spec/template/spec/containers/0/env/-";

    private SidecarComponent()
    {
        var root = Yaml.LoadMap(Repository.PathOf($"{Directory}/kustomization.yaml"));
        Kind = root.Text("kind");
        var files = root.Maps("patches").Where(p => p.Map("target").Text("kind") == "Deployment").Select(p => $"{Directory}/{p.Text("path")}").ToList();
        Patch = files
            .SelectMany(f => Yaml.LoadDocuments(Repository.PathOf(f)).Where(d => d.Text("kind") == "Deployment").Select(d => new KubernetesObject("Deployment", "(every Deployment)", d, f)))
            .Single();
        AppEnvironment = files
            .Where(f => Yaml.LoadDocuments(Repository.PathOf(f)).Count == 0)
            .SelectMany(f => Yaml.LoadSequence(Repository.PathOf(f)))
            .Where(op => op.Text("op") == "add" && op.Text("path") == AppEnvironmentPath)
            .Select(op => op.Map("value")!)
            .ToList();
    }

    public static SidecarComponent Instance { get; } = new();

    public string? Kind { get; }

    /// <summary>What the component merges into each Deployment.</summary>
    public KubernetesObject Patch { get; }

    /// <summary>The <c>env</c> entries the app container gets.</summary>
    public IReadOnlyList<Dictionary<string, object?>> AppEnvironment { get; }

    /// <summary>The kustomizations under k8s/ that include the component.</summary>
    public static IReadOnlyList<string> Includers() =>
        System.IO.Directory.EnumerateFiles(Repository.PathOf("k8s"), "kustomization.yaml", SearchOption.AllDirectories)
            .Select(f => Repository.Relative(Path.GetDirectoryName(f)!))
            .Where(d => Yaml.LoadMap(Repository.PathOf($"{d}/kustomization.yaml")).List("components").OfType<string>()
                .Any(c => Repository.Relative(Path.GetFullPath(Path.Combine(Repository.PathOf(d), c))) == Directory))
            .Order(StringComparer.Ordinal)
            .ToList();
}
