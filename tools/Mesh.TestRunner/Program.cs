using System.CommandLine;
using Mesh.TestRunner;

var fast = new Option<bool>("--fast") { Description = $"Only the tests with the trait {TestFilter.Fast}: in-process tests that start no other program." };
var configuration = new Option<string>("--configuration") { Description = "The build configuration to test (built beforehand).", DefaultValueFactory = _ => "Debug" };
var solution = new Option<FileInfo>("--solution") { Description = "The solution whose test projects run.", DefaultValueFactory = _ => new FileInfo("Mesh.sln") }.AcceptExistingOnly();
var results = new Option<DirectoryInfo>("--results") { Description = "Where the TRX results go (emptied first).", DefaultValueFactory = _ => new DirectoryInfo(".mesh/test-results") };
var checks = new Option<string[]>("--check") { Description = "A script run after the tests; its failure fails the run (repeatable)." };
var projects = new Option<string[]>("--project") { Description = "Only this test project of the solution, by name or path (repeatable); default: all of them." };

var root = new RootCommand("Runs every test project of the solution one after the other, then the checks; prints \"N passed, N failed, N skipped\" and the failed tests.")
{
    fast, configuration, solution, results, checks, projects,
};
root.SetAction((result, cancellationToken) => TestRun.RunAsync(
    new RunSettings(
        result.GetValue(solution)!,
        result.GetValue(configuration)!,
        result.GetValue(results)!,
        result.GetValue(fast),
        result.GetValue(checks) ?? [],
        result.GetValue(projects) ?? []),
    cancellationToken));

var parsed = root.Parse(args);
var exitCode = await parsed.InvokeAsync();
return parsed.Errors.Count > 0 ? 2 : exitCode;
