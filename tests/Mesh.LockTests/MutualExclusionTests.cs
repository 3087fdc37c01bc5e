using Mesh.LockTests.Infrastructure;
using Mesh.Testing;
using StackExchange.Redis;

namespace Mesh.LockTests;

/// <summary>Three OS processes of sixteen workers each race on one resource.</summary>
public sealed class MutualExclusionTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private const int Increments = 10_000;
    private const int Processes = 3;

    [Fact]
    public async Task TryAcquire_ThreeProcessesOfSixteenWorkers_CounterExactAndTokensIncreaseInLockOrder()
    {
        await redis.FlushAllAsync();
        var outputs = Enumerable.Range(0, Processes).Select(_ => Path.GetTempFileName()).ToList();
        var workers = outputs.Select((output, i) => ChildProcess.StartDotnet($"worker-{i}", BuildOutputs.LockWorker, new Dictionary<string, string>(),
            "increment", "--redis", redis.ConnectionString, "--resource", "counter", "--counter", "plain-counter",
            "--workers", "16", "--increments", $"{Increments / Processes + (i < Increments % Processes ? 1 : 0)}",
            "--out", output)).ToList();
        try
        {
            foreach (var worker in workers)
            {
                Assert.True(0 == await worker.WaitForExitAsync(TimeSpan.FromSeconds(90)), worker.Output);
            }

            var observed = outputs.SelectMany(File.ReadAllLines).Select(line => line.Split(' ')).Select(p => (Read: long.Parse(p[0]), Token: long.Parse(p[1])))
                .OrderBy(o => o.Read).ToList();
            await using var raw = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

            Assert.Equal(Increments, (long)await raw.GetDatabase().StringGetAsync("plain-counter"));
            // Each value was read by exactly one critical section, so the values order them all:
            Assert.Equal(Enumerable.Range(0, Increments).Select(i => (long)i), observed.Select(o => o.Read));
            var outOfOrder = observed.Zip(observed.Skip(1)).Where(pair => pair.Second.Token <= pair.First.Token).ToList();
            Assert.True(outOfOrder.Count == 0, $"tokens not increasing in lock order: {string.Join(", ", outOfOrder.Take(5))}");
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            outputs.ForEach(File.Delete);
        }
    }
}
