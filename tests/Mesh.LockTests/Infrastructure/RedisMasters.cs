using Mesh.Testing;

namespace Mesh.LockTests.Infrastructure;

/// <summary>Independent redis-server processes for a Redlock quorum; any of them can be killed mid-test.</summary>
public sealed class RedisMasters : IAsyncDisposable
{
    private readonly List<RedisServerFixture> _servers;

    private RedisMasters(List<RedisServerFixture> servers)
    {
        _servers = servers;
    }

    public IReadOnlyList<string> ConnectionStrings => _servers.Select(s => s.ConnectionString).ToList();

    public static async Task<RedisMasters> StartAsync(int count)
    {
        var servers = Enumerable.Range(0, count).Select(_ => new RedisServerFixture()).ToList();
        await Task.WhenAll(servers.Select(s => s.InitializeAsync()));
        return new RedisMasters(servers);
    }

    public Task KillAsync(int index) => _servers[index].DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}
