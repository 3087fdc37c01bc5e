namespace Mesh.UnitTests;

/// <summary>The checkout the tests run from: the folder holding Mesh.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Mesh.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Mesh.sln not found above " + AppContext.BaseDirectory);
    }
}
