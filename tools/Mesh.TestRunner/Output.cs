namespace Mesh.TestRunner;

/// <summary>Progress lines in ./mesh.sh's own style ("mesh: ..."), in colour on a terminal only.</summary>
public static class Output
{
    public static void Log(string message) => Console.Out.WriteLine($"{Bold(Console.IsOutputRedirected)}mesh:{Reset(Console.IsOutputRedirected)} {message}");

    /// <summary>To standard error, in yellow.</summary>
    public static void Warn(string message)
    {
        var plain = Console.IsErrorRedirected;
        Console.Error.WriteLine($"{Bold(plain)}mesh:{Reset(plain)} {(plain ? "" : "\e[33m")}{message}{Reset(plain)}");
    }

    private static string Bold(bool plain) => plain ? "" : "\e[1m";

    private static string Reset(bool plain) => plain ? "" : "\e[0m";
}
