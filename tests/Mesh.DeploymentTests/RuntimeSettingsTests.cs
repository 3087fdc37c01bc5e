using System.Text.RegularExpressions;
using Mesh.AppHost;
using Mesh.DeploymentTests.Support;

namespace Mesh.DeploymentTests;

/// <summary>
/// Every component runs with the same runtime settings wherever it runs: in its image (compose and
/// Kubernetes), under the AppHost (<c>./mesh.sh up</c>) and under <c>./mesh.sh bench</c>, so a
/// benchmark measures what is deployed.
/// </summary>
public sealed partial class RuntimeSettingsTests
{
    [Theory]
    [MemberData(nameof(DockerfileTests.Runnables), MemberType = typeof(DockerfileTests))]
    public void Image_Runnable_HasTheAppHostsGen0Budget(string name)
    {
        var environment = Dockerfile.Instance.Environment(ComposeFile.Instance.BuildArguments(name));

        Assert.Equal(RuntimeSettings.Gen0Budget, environment.GetValueOrDefault(RuntimeSettings.Gen0BudgetVariable));
    }

    [Fact]
    public void Bench_MeshScript_DefaultsToTheAppHostsGen0Budget()
    {
        var script = File.ReadAllText(Repository.PathOf("mesh.sh"));

        var match = BenchGen0Budget().Match(script);

        Assert.True(match.Success, $"mesh.sh does not export {RuntimeSettings.Gen0BudgetVariable} with a default for the benchmarks.");
        Assert.Equal(RuntimeSettings.Gen0Budget, match.Groups["value"].Value);
    }

    [Fact]
    public void Gen0Budget_IsAHexadecimalSizeOfAFewMebibytes()
    {
        // The runtime parses the variable as hexadecimal: "16000000" would be 352 MiB, not 16 MB.
        var bytes = Convert.ToInt64(RuntimeSettings.Gen0Budget, 16);

        Assert.InRange(bytes, 4L << 20, 64L << 20);
    }

    [GeneratedRegex(@"export DOTNET_GCgen0size=""\$\{DOTNET_GCgen0size:-(?<value>[^}]+)\}""")]
    private static partial Regex BenchGen0Budget();
}
