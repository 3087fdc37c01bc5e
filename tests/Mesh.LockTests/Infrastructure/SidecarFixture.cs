using Mesh.Testing;

namespace Mesh.LockTests.Infrastructure;

/// <summary>One redis-server and one sidecar for a whole test class; its tests use their own resources.</summary>
public sealed class SidecarFixture : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = new();

    public SidecarProcess Process { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        Process = await SidecarProcess.StartAsync(_redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Process.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
