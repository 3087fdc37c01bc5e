namespace Mesh.LockTests.Infrastructure;

/// <summary>Where the sidecar and the worker were built, in the same configuration as these tests.</summary>
public static class BuildOutputs
{
    public static string Sidecar => OutputOf("services/sidecar/Mesh.Sidecar", "Mesh.Sidecar.dll");

    public static string Worker => OutputOf("tests/Mesh.LockTests.Worker", "Mesh.LockTests.Worker.dll");

    private static string Configuration =>
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    private static string OutputOf(string projectDirectory, string assemblyName) =>
        Path.Combine(FindRoot(), projectDirectory, "bin", Configuration, "net10.0", assemblyName);

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
