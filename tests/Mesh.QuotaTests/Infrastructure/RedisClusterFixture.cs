using Mesh.Testing;

namespace Mesh.QuotaTests.Infrastructure;

/// <summary>
/// A three-master Redis Cluster (no replicas) built from redis-server processes on free ports with
/// <c>redis-cli --cluster create</c>; every node is killed on dispose.
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private static readonly TimeSpan CliLimit = TimeSpan.FromSeconds(60);
    private readonly List<RedisServerFixture> _nodes = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mesh-cluster-{Guid.NewGuid():N}");

    public string ConnectionString => string.Join(',', _nodes.Select(n => n.ConnectionString));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        for (var i = 0; i < 3; i++)
        {
            _nodes.Add(await RedisServerFixture.StartAsync(
                "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(_directory, $"node-{i}.conf"), "--cluster-node-timeout", "5000"));
        }

        var (exitCode, output) = await RedisCliAsync(["--cluster", "create", .. _nodes.Select(n => n.ConnectionString), "--cluster-replicas", "0", "--cluster-yes"]);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed: {output}");
        }

        await Poll.UntilAsync(
            async () => (await Task.WhenAll(_nodes.Select(n => RedisCliAsync(["-p", $"{n.Port}", "cluster", "info"]))))
                .All(info => info.Output.Contains("cluster_state:ok", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30),
            "The Redis Cluster never reported cluster_state:ok.",
            TimeSpan.FromMilliseconds(200));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private async Task<(int ExitCode, string Output)> RedisCliAsync(string[] arguments)
    {
        await using var cli = ChildProcess.Start("redis-cli", "redis-cli", arguments, _directory, new Dictionary<string, string>());
        var exitCode = await cli.WaitForExitAsync(CliLimit);
        return (exitCode, cli.Output);
    }
}
