namespace Mesh.Bench.Infrastructure;

/// <summary>
/// Where the components' builds are: in the repository the bench was built in, with the bench's own
/// configuration and target framework (./mesh.sh bench builds all of them in Release).
/// </summary>
public static class RepositoryBuilds
{
    private static readonly DirectoryInfo Output = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>The folder that holds Mesh.sln, found walking up from the bench's own build output.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The DLL of a project folder's build, e.g. <c>Dll("gateway/Mesh.Gateway")</c>.</summary>
    public static string Dll(string projectFolder) =>
        Path.Combine(Root, projectFolder, "bin", Output.Parent!.Name, Output.Name, $"{Path.GetFileName(projectFolder)}.dll");

    private static string FindRoot()
    {
        for (var directory = Output; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mesh.sln")))
            {
                return directory.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }
}
