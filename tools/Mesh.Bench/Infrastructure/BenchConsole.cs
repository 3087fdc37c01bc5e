namespace Mesh.Bench.Infrastructure;

/// <summary>The bench's own lines about its set-up, in ./mesh.sh's style ("mesh: ..."); warnings and errors to standard error.</summary>
public static class BenchConsole
{
    public static void Log(string message) => Console.Out.WriteLine($"mesh: {message}");

    public static void Warn(string message) => Console.Error.WriteLine($"mesh: {message}");
}
