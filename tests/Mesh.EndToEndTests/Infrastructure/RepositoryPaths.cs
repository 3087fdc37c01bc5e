namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>Finds the build outputs of the runnables, built in the same configuration as these tests.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    private static string Configuration =>
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    public static string OutputOf(string projectDirectory, string assemblyName) =>
        Path.Combine(Root, projectDirectory, "bin", Configuration, "net10.0", assemblyName);

    public static string DashboardExecutable() =>
        File.ReadAllText(OutputOf("tools/dashboard", "aspire-dashboard.path")).Trim();

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
