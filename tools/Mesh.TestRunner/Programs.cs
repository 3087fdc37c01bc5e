using System.Diagnostics;

namespace Mesh.TestRunner;

/// <summary>Runs the programs of the test phase: dotnet test, the check scripts.</summary>
public static class Programs
{
    /// <summary>
    /// Runs to completion with this process's console, so that its output shows as it comes. Ctrl-C
    /// reaches it from the terminal; it is waited for either way, so that nothing outlives the run.
    /// </summary>
    public static async Task<int> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments) { UseShellExecute = false })
            ?? throw new InvalidOperationException($"{fileName} did not start");
        await process.WaitForExitAsync(CancellationToken.None);
        return process.ExitCode;
    }
}
