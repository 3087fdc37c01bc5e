using System.Text.Json;
using Mesh.LockTests.Infrastructure;
using Mesh.Testing;

namespace Mesh.LockTests;

/// <summary>
/// Dapr's JavaScript SDK (@dapr/dapr from npm, unchanged) against the sidecar, over both of its
/// protocols: tests/dapr-js/lock.js takes, is refused, and releases a lock. The SDK finds the sidecar
/// and its token through DAPR_HTTP_PORT, DAPR_GRPC_PORT and DAPR_API_TOKEN, as against Dapr.
/// </summary>
public sealed class DaprJsSdkTests(DaprSidecarFixture fixture) : IClassFixture<DaprSidecarFixture>
{
    [Theory]
    [InlineData("http")]
    [InlineData("grpc")]
    public async Task LockScript_Protocol_TakesIsRefusedAndReleases(string protocol)
    {
        var sidecar = fixture.Process;
        var environment = new Dictionary<string, string>
        {
            ["DAPR_HTTP_PORT"] = $"{sidecar.DaprHttpPort}",
            ["DAPR_GRPC_PORT"] = $"{sidecar.DaprGrpcPort}",
            ["DAPR_API_TOKEN"] = SidecarApps.TokenOf(SidecarApps.Tests),
        };

        var (exitCode, output, errors) = await NodeScript.RunAsync(
            "lock.js", [protocol, DaprSidecarFixture.Store, $"js-{Guid.NewGuid():N}"], environment, TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, $"lock.js {protocol} exited {exitCode}:\n{errors}\n{output}");
        var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.True(result.GetProperty("taken").GetBoolean());
        Assert.False(result.GetProperty("refused").GetBoolean());
        Assert.Equal(2, result.GetProperty("notTheirs").GetInt32()); // LockBelongsToOthers
        Assert.Equal(0, result.GetProperty("released").GetInt32()); // Success
        Assert.Equal(1, result.GetProperty("gone").GetInt32()); // LockDoesNotExist
        Assert.True(result.GetProperty("retaken").GetBoolean());
    }
}
