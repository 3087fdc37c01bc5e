using System.Diagnostics;

namespace Mesh.QuotaTests.Infrastructure;

/// <summary>
/// A three-master Redis Cluster (no replicas) built from redis-server processes on free ports with
/// <c>redis-cli --cluster create</c>; every node is killed on dispose.
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private readonly List<RedisProcess> _nodes = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mesh-cluster-{Guid.NewGuid():N}");

    public string ConnectionString => string.Join(',', _nodes.Select(n => n.ConnectionString));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        for (var i = 0; i < 3; i++)
        {
            _nodes.Add(await RedisProcess.StartAsync(
                "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(_directory, $"node-{i}.conf"), "--cluster-node-timeout", "5000"));
        }

        var create = new ProcessStartInfo("redis-cli") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--cluster", "create" }.Concat(_nodes.Select(n => n.ConnectionString)).Concat(["--cluster-replicas", "0", "--cluster-yes"]))
        {
            create.ArgumentList.Add(argument);
        }

        using var process = Process.Start(create) ?? throw new InvalidOperationException("redis-cli did not start");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed: {output}");
        }

        await WaitClusterOkAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private async Task WaitClusterOkAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var ok = true;
            foreach (var node in _nodes)
            {
                var info = new ProcessStartInfo("redis-cli", ["-p", $"{node.Port}", "cluster", "info"]) { UseShellExecute = false, RedirectStandardOutput = true };
                using var process = Process.Start(info)!;
                ok &= (await process.StandardOutput.ReadToEndAsync()).Contains("cluster_state:ok", StringComparison.Ordinal);
                await process.WaitForExitAsync();
            }

            if (ok)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The Redis Cluster never reported cluster_state:ok.");
    }
}
