using Mesh.Testing;

namespace Mesh.LockTests.Infrastructure;

/// <summary>One redis-server and one sidecar whose configuration lists its lock store, for the Dapr API tests.</summary>
public sealed class DaprSidecarFixture : IAsyncLifetime
{
    /// <summary>The one lock store name the sidecar accepts (<c>Dapr:LockStores</c>).</summary>
    public const string Store = "lockstore";

    private readonly RedisServerFixture _redis = new();

    public SidecarProcess Process { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        Process = await SidecarProcess.StartAsync(_redis.ConnectionString, new Dictionary<string, string> { ["Dapr__LockStores__0"] = Store });
    }

    public async Task DisposeAsync()
    {
        await Process.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
