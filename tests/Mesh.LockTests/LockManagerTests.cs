using System.Diagnostics;
using Mesh.LockTests.Infrastructure;
using Mesh.Locks;
using Mesh.Testing;
using StackExchange.Redis;

namespace Mesh.LockTests;

/// <summary>The library on a single real redis-server.</summary>
public sealed class LockManagerTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private LockServices _services = null!;
    private IConnectionMultiplexer _raw = null!;

    private ILockManager Locks => _services.Locks;

    public async Task InitializeAsync()
    {
        await redis.FlushAllAsync();
        // A reachable Redis never counts as unavailable here, however loaded the machine: a
        // 500 ms answer at the end of a wait would turn "held by another owner" into
        // LockUnavailableException (the outcome of the last attempt decides). Unreachable Redis
        // has its own test with its own timeout.
        _services = await LockServices.SingleAsync(redis.ConnectionString, ("Locks:MasterTimeout", "00:00:05"));
        _raw = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _raw.DisposeAsync();
    }

    [Fact]
    public async Task TryAcquire_FreeResourceThreeTimes_TokensStrictlyIncrease()
    {
        var tokens = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            await using var held = await Locks.TryAcquireAsync(Request("r", "a"), CancellationToken.None);
            tokens.Add(Assert.IsType<LockHandle>(held).FencingToken);
        }

        Assert.True(tokens[0] < tokens[1] && tokens[1] < tokens[2], string.Join(", ", tokens));
    }

    [Fact]
    public async Task TryAcquire_AfterTheFenceCounterExpired_TokenStillAboveEveryEarlierOne()
    {
        long first;
        await using (var held = await Locks.TryAcquireAsync(Request("once", "a"), CancellationToken.None))
        {
            first = Assert.IsType<LockHandle>(held).FencingToken;
        }

        var db = _raw.GetDatabase();
        var ttl = await db.KeyTimeToLiveAsync(LockKeys.Fence("once"));
        // What Locks:FenceRetention does to a resource used once (here at once instead of after a day).
        Assert.InRange(ttl!.Value, TimeSpan.FromHours(23), TimeSpan.FromDays(1));
        Assert.True(await db.KeyDeleteAsync(LockKeys.Fence("once")));
        await using var again = await Locks.TryAcquireAsync(Request("once", "b"), CancellationToken.None);

        Assert.True(Assert.IsType<LockHandle>(again).FencingToken > first);
    }

    [Fact]
    public async Task TryAcquire_CounterAheadOfTheClock_ContinuesAboveIt()
    {
        // A counter ahead of the clock, as a Redlock quorum raise may leave one (below 2^53: Lua's numbers are doubles).
        const long ahead = 5_000_000_000_000_000;
        await _raw.GetDatabase().StringSetAsync(LockKeys.Fence("ahead"), ahead);

        await using var held = await Locks.TryAcquireAsync(Request("ahead", "a"), CancellationToken.None);

        Assert.Equal(ahead + 1, Assert.IsType<LockHandle>(held).FencingToken);
    }

    [Fact]
    public async Task TryAcquire_HeldByOtherOwner_NullAfterWaitTime()
    {
        await using var first = await Locks.TryAcquireAsync(Request("r", "a"), CancellationToken.None);
        var clock = Stopwatch.StartNew();

        var second = await Locks.TryAcquireAsync(Request("r", "b", wait: TimeSpan.FromMilliseconds(300)), CancellationToken.None);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(290), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task TryAcquire_ReleasedWhileWaiting_WaiterGetsHigherToken()
    {
        var first = await Locks.TryAcquireAsync(Request("r", "a"), CancellationToken.None);
        var waiting = Locks.TryAcquireAsync(Request("r", "b", wait: TimeSpan.FromSeconds(10)), CancellationToken.None);
        // Released only once the waiter is queued, so that it is woken rather than finding the lock free.
        await Poll.UntilAsync(
            async () => await _raw.GetDatabase().ListLengthAsync(LockKeys.Queue("r")) == 1, TimeSpan.FromSeconds(5), "the waiter queued");
        Assert.False(waiting.IsCompleted);

        Assert.Equal(LockStatus.Success, await first!.ReleaseAsync(CancellationToken.None));
        await using var second = await waiting;

        Assert.Equal("b", second!.Owner);
        Assert.True(second.FencingToken > first.FencingToken);
    }

    [Fact]
    public async Task TryLock_CancelledAfterItsScriptWasSent_LeavesTheLockFree()
    {
        // A cancelled token: the script is sent (and runs), the wait for its answer is cancelled at once.
        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _services.Backend.TryLockAsync("r", "a", TimeSpan.FromSeconds(30), new CancellationToken(canceled: true)));

        var next = await _services.Backend.TryLockAsync("r", "b", TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.NotNull(cancelled);
        Assert.True(next.Acquired);
    }

    [Fact]
    public async Task Handle_AutoExtend_HeldPastItsExpiry()
    {
        // Renewals come every third of the expiry; six seconds leave four of room for a stalled machine.
        await using var held = await Locks.TryAcquireAsync(Request("r", "a", expiry: TimeSpan.FromSeconds(6)), CancellationToken.None);

        await Task.Delay(TimeSpan.FromSeconds(15));
        var other = await Locks.TryAcquireAsync(Request("r", "b", wait: TimeSpan.Zero), CancellationToken.None);

        Assert.Null(other);
        Assert.False(held!.IsLost);
    }

    [Fact]
    public async Task Handle_WithoutAutoExtend_LockLostAtExpiryAndOthersMayTakeIt()
    {
        await using var held = await Locks.TryAcquireAsync(
            Request("r", "a", expiry: TimeSpan.FromMilliseconds(500)) with { AutoExtend = false }, CancellationToken.None);

        await WhenCancelledAsync(held!.LockLost, TimeSpan.FromSeconds(3));
        await using var next = await Locks.TryAcquireAsync(Request("r", "b", wait: TimeSpan.FromSeconds(2)), CancellationToken.None);

        Assert.NotNull(next);
        Assert.True(next.FencingToken > held.FencingToken);
    }

    [Fact]
    public async Task Handle_RenewalFindsAnotherOwner_LockLostFires()
    {
        await using var held = await Locks.TryAcquireAsync(Request("r", "a", expiry: TimeSpan.FromSeconds(3)), CancellationToken.None);

        await _raw.GetDatabase().StringSetAsync(LockKeys.Owner("r"), "intruder:someone-else", TimeSpan.FromSeconds(30));

        await WhenCancelledAsync(held!.LockLost, TimeSpan.FromSeconds(3));
        Assert.True(held.IsLost);
    }

    [Fact]
    public async Task Release_StaleHandleAfterNewerGrantOfSameOwner_LeavesNewerGrant()
    {
        var stale = await Locks.TryAcquireAsync(
            Request("r", "a", expiry: TimeSpan.FromMilliseconds(300)) with { AutoExtend = false }, CancellationToken.None);
        await WhenCancelledAsync(stale!.LockLost, TimeSpan.FromSeconds(3));
        await using var newer = await Locks.TryAcquireAsync(Request("r", "a", wait: TimeSpan.FromSeconds(2)), CancellationToken.None);

        var status = await stale.ReleaseAsync(CancellationToken.None);
        var intruder = await Locks.TryAcquireAsync(Request("r", "b", wait: TimeSpan.Zero), CancellationToken.None);

        Assert.Equal(LockStatus.BelongsToOthers, status);
        Assert.Null(intruder);
        Assert.Equal(LockStatus.Success, await newer!.ReleaseAsync(CancellationToken.None));
    }

    [Fact]
    public async Task TryAcquire_NewConnectionAfterEarlierGrants_TokenContinuesAbove()
    {
        long earlier;
        await using (var before = await LockServices.SingleAsync(redis.ConnectionString))
        {
            await using var held = await before.Locks.TryAcquireAsync(Request("r", "a"), CancellationToken.None);
            earlier = held!.FencingToken;
        }

        await using var after = await Locks.TryAcquireAsync(Request("r", "a"), CancellationToken.None);

        Assert.True(after!.FencingToken > earlier);
    }

    [Fact]
    public async Task TryAcquire_RedisUnreachable_ThrowsLockUnavailable()
    {
        await using var unreachable = await LockServices.SingleAsync(
            $"127.0.0.1:{FreePort.Next()},connectTimeout=200", ("Locks:MasterTimeout", "00:00:00.200"));
        var clock = Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<LockUnavailableException>(() =>
            unreachable.Locks.TryAcquireAsync(Request("r", "a", wait: TimeSpan.FromMilliseconds(500)), CancellationToken.None));

        Assert.Equal("r", exception.Resource);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("orders/place/u1/key{with}braces")]
    [InlineData("}{")]
    [InlineData("%7B")]
    public void LockKeys_AnyResource_OwnerAndFenceShareOneClusterSlot(string resource)
    {
        Assert.Equal(_raw.HashSlot(LockKeys.Owner(resource)), _raw.HashSlot(LockKeys.Fence(resource)));
        Assert.NotEqual(LockKeys.Owner("a{b"), LockKeys.Owner("a%7Bb"));
    }

    internal static LockRequest Request(string resource, string owner, TimeSpan? expiry = null, TimeSpan? wait = null) =>
        new(resource, owner, expiry ?? TimeSpan.FromSeconds(10), wait ?? TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(10));

    internal static async Task WhenCancelledAsync(CancellationToken token, TimeSpan within)
    {
        var cancelled = new TaskCompletionSource();
        await using var registration = token.Register(() => cancelled.TrySetResult());
        await cancelled.Task.WaitAsync(within);
    }
}
