namespace Mesh.DeploymentTests.Support;

/// <summary>Paths inside the repository, found from the test assembly's folder.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relativePath) =>
        Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));

    public static string Relative(string path) =>
        Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mesh.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Mesh.sln above {AppContext.BaseDirectory}.");
    }
}
