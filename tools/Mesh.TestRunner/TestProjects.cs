using System.Text.RegularExpressions;

namespace Mesh.TestRunner;

/// <summary>
/// The test projects of a solution: those that reference Microsoft.NET.Test.Sdk, which is what
/// makes a project one for <c>dotnet test</c> (its IsTestProject). Read from the project files: asking
/// MSBuild costs seconds per project, more than the fast tests take.
/// </summary>
public static partial class TestProjects
{
    public static async Task<IReadOnlyList<string>> FindAsync(FileInfo solution, CancellationToken cancellationToken)
    {
        var tests = new List<string>();
        foreach (Match line in ProjectLine().Matches(await File.ReadAllTextAsync(solution.FullName, cancellationToken)))
        {
            var project = Path.Combine(solution.DirectoryName!, line.Groups["path"].Value.Replace('\\', '/'));
            if (TestSdk().IsMatch(await File.ReadAllTextAsync(project, cancellationToken)))
            {
                tests.Add(Path.GetRelativePath(Environment.CurrentDirectory, project));
            }
        }

        // The order of dotnet sln list, which the runs always had.
        return [.. tests.Order(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>The projects named (by file name without .csproj, or by path), or all of them when none is.</summary>
    public static IReadOnlyList<string> Select(IReadOnlyList<string> projects, IReadOnlyList<string> names) =>
        names.Count == 0
            ? projects
            : [.. projects.Where(p => names.Any(n => n == Path.GetFileNameWithoutExtension(p) || Path.GetFullPath(n).TrimEnd('/') is var full
                && (full == Path.GetFullPath(p) || full == Path.GetDirectoryName(Path.GetFullPath(p)))))];

    [GeneratedRegex("""^Project\("\{[^}]+\}"\) = "[^"]*", "(?<path>[^"]+\.csproj)", """, RegexOptions.Multiline)]
    private static partial Regex ProjectLine();

    [GeneratedRegex("""<PackageReference\s+Include="Microsoft\.NET\.Test\.Sdk"\s*""")]
    private static partial Regex TestSdk();
}
