using Mesh.Testing;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>The developer CLI (tools/Mesh.Cli) as its own process, run to completion, the way an operator or mesh.sh runs it.</summary>
public static class MeshCli
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    public static async Task<CliResult> RunAsync(params string[] arguments)
    {
        // Not interactive (output redirected): the CLI prints plain lines instead of progress bars.
        await using var process = ChildProcess.StartDotnet(
            "mesh-cli", Runnables.Of("tools/Mesh.Cli", "Mesh.Cli.dll"), new Dictionary<string, string>(), arguments);
        var exitCode = await process.WaitForExitAsync(Limit);
        return new CliResult(exitCode, process.Output);
    }
}
