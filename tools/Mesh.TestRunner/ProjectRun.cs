namespace Mesh.TestRunner;

/// <summary><c>dotnet test</c> of one built project, with its results read back from its TRX file.</summary>
public static class ProjectRun
{
    // A hung test fails its project after this long instead of stalling CI until its own timeout.
    private const string HangTimeout = "15m";

    public static async Task<TrxReport> RunAsync(string project, RunSettings settings)
    {
        var name = Path.GetFileNameWithoutExtension(project);
        var results = new DirectoryInfo(Path.Combine(settings.Results.FullName, name));
        List<string> arguments =
        [
            "test", project, "--no-build", "--configuration", settings.Configuration, "--nologo",
            "--results-directory", results.FullName,
            "--logger", $"trx;LogFileName={name}.trx",
            "--logger", "console;verbosity=normal",
            "--blame-hang-timeout", HangTimeout, "--blame-hang-dump-type", "none",
        ];
        if (settings.FastOnly)
        {
            arguments.AddRange(["--filter", TestFilter.Fast]);
        }

        var exitCode = await Programs.RunAsync("dotnet", arguments);
        var report = TrxReport.Read(results);
        if (exitCode == 0 || report.Counts.Failed > 0)
        {
            return report with { Succeeded = exitCode == 0 };
        }

        // A crashed test host, a build that was not there, a hang: no test says so, the run must.
        Output.Warn($"{name}: the test run failed (exit {exitCode}) without a failed test in its results; counted as 1 failed");
        return new TrxReport(
            report.Counts with { Failed = 1 },
            [.. report.Failures, new FailedTest($"{name} (the run failed without a failed test; see its output above)", null)],
            Succeeded: false);
    }
}
