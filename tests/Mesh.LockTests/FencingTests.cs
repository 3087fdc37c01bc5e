using Mesh.LockTests.Infrastructure;
using Mesh.Locks;
using Mesh.Testing;
using StackExchange.Redis;

namespace Mesh.LockTests;

/// <summary>Protected writes carry the fencing token; a store that has seen a higher one refuses them.</summary>
public sealed class FencingTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private const string FenceKey = "data:{doc}:fence";
    private const string ValueKey = "data:{doc}:value";

    private IConnectionMultiplexer _raw = null!;

    private IDatabase Db => _raw.GetDatabase();

    public async Task InitializeAsync()
    {
        await redis.FlushAllAsync();
        _raw = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
    }

    public async Task DisposeAsync() => await _raw.DisposeAsync();

    [Fact]
    public async Task FencedWrite_HolderPausedPastExpiry_RejectedAfterNextHolderWrote()
    {
        await using var paused = ChildProcess.StartDotnet("paused-holder", BuildOutputs.LockWorker, new Dictionary<string, string>(),
            "hold", "--redis", redis.ConnectionString, "--resource", "doc", "--expiry-ms", "1000",
            "--fence-key", FenceKey, "--key", ValueKey, "--value", "from-paused-holder");
        var firstToken = long.Parse((await paused.WaitForLineAsync("acquired ", TimeSpan.FromSeconds(30)))["acquired ".Length..]);

        paused.Pause();
        await using var services = await LockServices.SingleAsync(redis.ConnectionString);
        await using var next = await services.Locks.TryAcquireAsync(
            LockManagerTests.Request("doc", "next-holder", wait: TimeSpan.FromSeconds(5)), CancellationToken.None);
        var nextWrite = await Db.FencedStringSetAsync(FenceKey, next!.FencingToken, ValueKey, "from-next-holder", null, CancellationToken.None);
        paused.Resume();
        await paused.WriteLineAsync("write");

        Assert.True(next.FencingToken > firstToken);
        Assert.True(nextWrite.Applied);
        Assert.Equal($"rejected {next.FencingToken}", await paused.WaitForLineAsync("rejected", TimeSpan.FromSeconds(10)));
        await paused.WaitForLineAsync("lost", TimeSpan.FromSeconds(10));
        Assert.Equal("from-next-holder", (string?)await Db.StringGetAsync(ValueKey));
    }

    [Fact]
    public async Task FencedStringSet_LowerTokenThanSeen_RejectedAndEqualTokenAccepted()
    {
        var newer = await Db.FencedStringSetAsync(FenceKey, 5, ValueKey, "five", null, CancellationToken.None);
        var older = await Db.FencedStringSetAsync(FenceKey, 3, ValueKey, "three", null, CancellationToken.None);
        var again = await Db.FencedStringSetAsync(FenceKey, 5, ValueKey, "five again", TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.True(newer.Applied);
        Assert.Equal(new FencedWriteResult(false, 5, null), older);
        Assert.True(again.Applied);
        Assert.Equal("five again", (string?)await Db.StringGetAsync(ValueKey));
        Assert.InRange((await Db.KeyTimeToLiveAsync(ValueKey))!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task FencedWrite_CustomScript_SeesOnlyItsOwnKeysAndArguments()
    {
        var result = await Db.FencedWriteAsync(
            FenceKey, 7, "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\nreturn redis.call('HGET', KEYS[1], ARGV[1])",
            ["data:{doc}:fields"], ["colour", "green"], CancellationToken.None);

        Assert.True(result.Applied);
        Assert.Equal("green", (string?)result.Reply);
        Assert.Equal(7, (long)await Db.StringGetAsync(FenceKey));
    }
}
