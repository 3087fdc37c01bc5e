namespace Mesh.TestRunner;

/// <summary>
/// Every test project one after the other, then the checks, then the failed tests and the counts.
/// One project at a time: integration and end-to-end tests start real processes, and two cores
/// shared by several of them make timing-sensitive tests flaky.
/// </summary>
public static class TestRun
{
    public static async Task<int> RunAsync(RunSettings settings, CancellationToken cancellationToken)
    {
        var projects = TestProjects.Select(await TestProjects.FindAsync(settings.Solution, cancellationToken), settings.Only)
            .Where(p => !settings.FastOnly || TestFilter.HasFastTests(p))
            .ToList();
        if (projects.Count == 0)
        {
            Output.Warn($"no test projects in {settings.Solution.Name}{(settings.Only.Count > 0 ? $" named {string.Join(", ", settings.Only)}" : "")}");
            return 1;
        }

        if (settings.Results.Exists)
        {
            settings.Results.Delete(recursive: true);
        }

        var total = new Tally();
        var failures = new List<FailedTest>();
        var succeeded = true;
        for (var i = 0; i < projects.Count && !cancellationToken.IsCancellationRequested; i++)
        {
            var name = Path.GetFileNameWithoutExtension(projects[i]);
            Output.Log($"testing {name} ({i + 1} of {projects.Count}{(settings.FastOnly ? $", {TestFilter.Fast} only" : "")})");
            var report = await ProjectRun.RunAsync(projects[i], settings);
            total += report.Counts;
            failures.AddRange(report.Failures);
            succeeded &= report.Succeeded;
            Output.Log($"{name}: {report.Counts}; so far {total}");
        }

        foreach (var check in settings.Checks.TakeWhile(_ => !cancellationToken.IsCancellationRequested))
        {
            Output.Log($"checking with {check}");
            var exitCode = await Programs.RunAsync(check, []);
            if (exitCode != 0)
            {
                Output.Warn($"{check} failed (exit {exitCode})");
                failures.Add(new FailedTest($"{check} (exit {exitCode}; see its output above)", null));
                succeeded = false;
            }
        }

        return Summarise(total, failures, settings.Results, cancellationToken.IsCancellationRequested) && succeeded ? 0 : 1;
    }

    /// <summary>Last, for the tail of a CI log: the failures, then the counts. True when all is well.</summary>
    private static bool Summarise(Tally total, IReadOnlyList<FailedTest> failures, DirectoryInfo results, bool interrupted)
    {
        if (interrupted)
        {
            Output.Warn("interrupted: the projects and checks after this point did not run");
        }

        if (total.Passed + total.Failed == 0)
        {
            Output.Warn("no test ran");
        }

        if (failures.Count > 0)
        {
            Output.Warn($"failed tests (details in their output above and in {Path.GetRelativePath(Environment.CurrentDirectory, results.FullName)}):");
            foreach (var failure in failures)
            {
                Console.Out.WriteLine($"  {failure.Name}");
                if (!string.IsNullOrEmpty(failure.Message))
                {
                    Console.Out.WriteLine($"      {failure.Message}");
                }
            }
        }

        Console.Out.WriteLine(total.ToString());
        return !interrupted && total.Passed + total.Failed > 0 && total.Failed == 0;
    }
}
