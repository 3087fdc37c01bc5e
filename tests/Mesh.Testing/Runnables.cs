namespace Mesh.Testing;

/// <summary>
/// Where the repository's programs were built, in the same configuration as the running tests, so
/// that tests start them as their own processes from their own output folders.
/// </summary>
public static class Runnables
{
    public static string Root { get; } = FindRoot();

    private static string Configuration =>
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    /// <summary>The built assembly of a project, e.g. <c>Of("gateway/Mesh.Gateway", "Mesh.Gateway.dll")</c>.</summary>
    public static string Of(string projectDirectory, string assemblyName) =>
        Path.Combine(Root, projectDirectory, "bin", Configuration, "net10.0", assemblyName);

    /// <summary>The Aspire dashboard executable, whose path tools/dashboard writes at build time.</summary>
    public static string DashboardExecutable() =>
        File.ReadAllText(Of("tools/dashboard", "aspire-dashboard.path")).Trim();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mesh.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Mesh.sln not found above " + AppContext.BaseDirectory);
    }
}
