using System.Diagnostics;
using Mesh.Testing;

namespace Mesh.LockTests.Infrastructure;

/// <summary>
/// A script of tests/dapr-js run by node, with the npm packages ./mesh.sh installs there from the
/// folder's lock file. Disposing nothing: each run waits for its process and kills it on timeout.
/// </summary>
public static class NodeScript
{
    public static string Folder { get; } = Path.Combine(Runnables.Root, "tests", "dapr-js");

    /// <summary>Runs <c>node &lt;script&gt; &lt;arguments&gt;</c> in <see cref="Folder"/>; the exit code and both outputs.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(
        string script, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan within)
    {
        Assert.True(File.Exists(Path.Combine(Folder, "node_modules", "@dapr", "dapr", "package.json")),
            $"{Folder}/node_modules lacks @dapr/dapr: ./mesh.sh test installs it (or run: npm ci --ignore-scripts --prefix tests/dapr-js).");
        var info = new ProcessStartInfo("node") { WorkingDirectory = Folder, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(within);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} ran longer than {within}.\n{await errors}");
        }

        return (process.ExitCode, await output, await errors);
    }
}
