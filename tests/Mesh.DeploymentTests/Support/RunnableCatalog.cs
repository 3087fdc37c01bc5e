using System.Xml.Linq;

namespace Mesh.DeploymentTests.Support;

/// <summary>
/// Finds every runnable in the repository: each web project (Microsoft.NET.Sdk.Web) under gateway/
/// and services/. A new service is deployed, or these tests fail.
/// </summary>
public static class RunnableCatalog
{
    private static readonly string[] Roots = ["gateway", "services"];

    public static IReadOnlyList<Runnable> All { get; } = Discover();

    public static Runnable Named(string name) => All.Single(r => r.Name == name);

    /// <summary>Every project file that <paramref name="projectFile"/> references, directly or not.</summary>
    public static IReadOnlyList<string> ProjectClosure(string projectFile)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([projectFile]);
        while (pending.TryPop(out var project))
        {
            if (!seen.Add(project))
            {
                continue;
            }

            foreach (var reference in References(project))
            {
                pending.Push(reference);
            }
        }

        return seen.ToList();
    }

    private static IReadOnlyList<Runnable> Discover()
    {
        return Roots.Select(Repository.PathOf)
            .Where(Directory.Exists)
            .SelectMany(root => Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories))
            .Where(IsBuildInput)
            .Where(project => XDocument.Load(project).Root?.Attribute("Sdk")?.Value == "Microsoft.NET.Sdk.Web")
            .Select(Repository.Relative)
            .Order(StringComparer.Ordinal)
            .Select(Describe)
            .ToList();
    }

    private static Runnable Describe(string project)
    {
        var directory = project[..project.LastIndexOf('/')];
        var parts = directory.Split('/');
        var name = parts[0] == "gateway" ? "gateway" : parts[1];
        var usesKafka = ProjectClosure(project).Any(p => p.EndsWith("/Mesh.Messaging.csproj", StringComparison.Ordinal));
        return new Runnable(name, directory, project, AppSettings.Load(Repository.PathOf($"{directory}/appsettings.json")), usesKafka);
    }

    private static IEnumerable<string> References(string projectFile)
    {
        var path = Repository.PathOf(projectFile);
        if (!File.Exists(path))
        {
            return [];
        }

        var directory = Path.GetDirectoryName(path)!;
        return XDocument.Load(path).Descendants("ProjectReference")
            .Select(e => e.Attribute("Include")?.Value)
            .OfType<string>()
            .Select(include => Repository.Relative(Path.GetFullPath(Path.Combine(directory, include.Replace('\\', '/')))));
    }

    private static bool IsBuildInput(string path)
    {
        var relative = Repository.Relative(path);
        return !relative.Contains("/bin/", StringComparison.Ordinal) && !relative.Contains("/obj/", StringComparison.Ordinal);
    }
}
