namespace Mesh.QuotaTests.Infrastructure;

/// <summary>The built runnables these tests start as processes, in the tests' own configuration.</summary>
public static class BuildOutputs
{
    private static readonly string Root = FindRoot();

    private static string Configuration => new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    public static string Gateway => Of("gateway/Mesh.Gateway", "Mesh.Gateway.dll");

    public static string Sidecar => Of("services/sidecar/Mesh.Sidecar", "Mesh.Sidecar.dll");

    private static string Of(string project, string assembly) => Path.Combine(Root, project, "bin", Configuration, "net10.0", assembly);

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
