// Dapr marks its lock API experimental (DAPR_DISTRIBUTEDLOCK); that API is what these tests exercise.
#pragma warning disable DAPR_DISTRIBUTEDLOCK

using System.Security.Cryptography;
using System.Text;
using Dapr.Client;
using Mesh.LockTests.Infrastructure;
using Mesh.Testing;

namespace Mesh.LockTests;

/// <summary>
/// A sidecar configured as k8s/components/coordination-sidecar configures it: the pod's one app as
/// Sidecar:AppId (from the pod's label) with Sidecar:AppTokenSha256 (from a Secret).
/// </summary>
public sealed class SidecarPodAppTests : IAsyncLifetime
{
    private const string PodApp = "pod-app";
    private static readonly string Token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private readonly RedisServerFixture _redis = new();
    private SidecarProcess _sidecar = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _sidecar = await SidecarProcess.StartAsync(_redis.ConnectionString, new Dictionary<string, string>
        {
            ["Sidecar__AppId"] = PodApp,
            ["Sidecar__AppTokenSha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Token))),
        });
    }

    public async Task DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task PodApp_ItsToken_IsThatAppNextToTheConfiguredApps()
    {
        using var podApp = DaprClients.For(_sidecar, Token);
        using var tests = DaprClients.As(_sidecar);
        var resource = $"res-{Guid.NewGuid():N}";

        var metadata = await podApp.GetMetadataAsync();
        var taken = await podApp.Lock("lockstore", resource, "owner-a", 30);
        var otherApp = await tests.Lock("lockstore", resource, "owner-b", 30);

        Assert.Equal(PodApp, metadata.Id);
        Assert.True(taken.Success);
        // Another app's lock space: the same resource name is another lock.
        Assert.True(otherApp.Success);
    }
}
