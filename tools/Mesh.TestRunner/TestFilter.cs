namespace Mesh.TestRunner;

/// <summary>
/// The fast tests: in-process tests that start no other program (no redis-server, broker, service or
/// CLI). They carry the xunit trait Category=Fast, a whole project through
/// <c>[assembly: AssemblyTrait("Category", "Fast")]</c>, single classes through
/// <c>[Trait("Category", "Fast")]</c>, written out like that.
/// </summary>
public static class TestFilter
{
    public const string Fast = "Category=Fast";

    private const string Marker = "\"Category\", \"Fast\")]";

    /// <summary>
    /// Whether a project's sources mark any test fast. A project without one is not started at all
    /// in a fast run: its test host would take seconds only to find nothing to run.
    /// </summary>
    public static bool HasFastTests(string project)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(project))!;
        return Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(Path.GetRelativePath(folder, f)))
            .Any(f => File.ReadAllText(f).Contains(Marker, StringComparison.Ordinal));
    }

    private static bool IsBuildOutput(string relativePath) =>
        relativePath.StartsWith("bin/", StringComparison.Ordinal) || relativePath.StartsWith("obj/", StringComparison.Ordinal);
}
