using Mesh.LockTests.Infrastructure;
using Mesh.Locks;
using Mesh.Testing;
using StackExchange.Redis;
using static Mesh.LockTests.LockManagerTests;

namespace Mesh.LockTests;

/// <summary>
/// Waiters on a single Redis (<see cref="RedisLockBackend"/>): queued in arrival order, woken by
/// the release. Unless a test is about re-checks, waiters re-check only once a minute, so a grant
/// within seconds can only have come from a wake-up.
/// </summary>
public sealed class FairQueueTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);
    private LockServices _services = null!;
    private IConnectionMultiplexer _raw = null!;

    private ILockManager Locks => _services.Locks;

    private IDatabase Db => _raw.GetDatabase();

    public async Task InitializeAsync()
    {
        await redis.FlushAllAsync();
        _services = await LockServices.SingleAsync(
            redis.ConnectionString, ("Locks:MasterTimeout", "00:00:05"), ("Locks:QueueRecheckInterval", "00:01:00"));
        _raw = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _raw.DisposeAsync();
    }

    [Fact]
    public async Task TryAcquire_FiveWaitersQueuedOneAfterAnother_GrantedInArrivalOrder()
    {
        var holder = await Locks.TryAcquireAsync(Request("r", "holder"), CancellationToken.None);
        var granted = new List<string>();
        var waiters = new List<Task>();
        for (var i = 0; i < 5; i++)
        {
            var owner = $"w{i}";
            waiters.Add(Task.Run(async () =>
            {
                await using var held = await Locks.TryAcquireAsync(Request("r", owner, wait: TimeSpan.FromSeconds(30)), CancellationToken.None);
                lock (granted)
                {
                    granted.Add(held is null ? $"{owner}: not granted" : owner);
                }
            }));
            await QueuedAsync("r", i + 1);
        }

        await holder!.ReleaseAsync(CancellationToken.None);
        await Task.WhenAll(waiters).WaitAsync(Soon);

        Assert.Equal(["w0", "w1", "w2", "w3", "w4"], granted);
        Assert.False(await Db.KeyExistsAsync(LockKeys.Queue("r")));
    }

    [Fact]
    public async Task TryAcquire_HeadsWaitRunsOut_LeavesQueueAndNextWaiterIsWoken()
    {
        await using var holder = await Locks.TryAcquireAsync(Request("r", "holder"), CancellationToken.None);
        // Long enough to still be queued when the patient one joins, even on a machine stalled for
        // seconds, and short enough to run out within Soon.
        var impatient = Locks.TryAcquireAsync(Request("r", "impatient", wait: TimeSpan.FromSeconds(6)), CancellationToken.None);
        await QueuedAsync("r", 1);
        var patient = Locks.TryAcquireAsync(Request("r", "patient", wait: TimeSpan.FromSeconds(30)), CancellationToken.None);
        await QueuedAsync("r", 2);

        Assert.Null(await impatient.WaitAsync(Soon));
        Assert.Equal(1, await Db.ListLengthAsync(LockKeys.Queue("r")));
        Assert.Equal(1, await Db.SortedSetLengthAsync(LockKeys.Waiters("r")));
        Assert.False(patient.IsCompleted);
        await holder!.ReleaseAsync(CancellationToken.None);
        await using var next = await patient.WaitAsync(Soon);

        Assert.Equal("patient", next?.Owner);
    }

    [Fact]
    public async Task TryAcquire_QueuedWaiterCancelled_LeavesQueueAndNextWaiterIsWoken()
    {
        await using var holder = await Locks.TryAcquireAsync(Request("r", "holder"), CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = Locks.TryAcquireAsync(Request("r", "cancelled", wait: TimeSpan.FromSeconds(30)), cancel.Token);
        await QueuedAsync("r", 1);
        var next = Locks.TryAcquireAsync(Request("r", "next", wait: TimeSpan.FromSeconds(30)), CancellationToken.None);
        await QueuedAsync("r", 2);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Soon));
        await QueuedAsync("r", 1);
        await holder!.ReleaseAsync(CancellationToken.None);
        await using var granted = await next.WaitAsync(Soon);

        Assert.Equal("next", granted?.Owner);
    }

    [Fact]
    public async Task TryAcquire_QueuedProcessKilled_NextWaiterGrantedOnceTheDeadWaitersDeadlinePassed()
    {
        // Waiters here re-check every 100 ms; the killed worker keeps the defaults (a place is kept
        // 2 × 500 ms + 500 ms after its last renewal).
        await using var services = await LockServices.SingleAsync(redis.ConnectionString, ("Locks:QueueRecheckInterval", "00:00:00.100"));
        await using var holder = await services.Locks.TryAcquireAsync(Request("r", "holder"), CancellationToken.None);
        await using var worker = ChildProcess.StartDotnet("worker", BuildOutputs.LockWorker, new Dictionary<string, string>(),
            "hold", "--redis", redis.ConnectionString, "--resource", "r", "--expiry-ms", "10000",
            "--fence-key", "f", "--key", "k", "--value", "v");
        await QueuedAsync("r", 1, within: TimeSpan.FromSeconds(60));
        var next = services.Locks.TryAcquireAsync(Request("r", "next", wait: TimeSpan.FromSeconds(30)), CancellationToken.None);
        await QueuedAsync("r", 2);

        await worker.DisposeAsync();
        var deadWaiter = (string)(await Db.ListGetByIndexAsync(LockKeys.Queue("r"), 0))!;
        var deadline = (await Db.SortedSetScoreAsync(LockKeys.Waiters("r"), deadWaiter))!.Value;
        await holder!.ReleaseAsync(CancellationToken.None);
        await using var granted = await next.WaitAsync(Soon);

        // Tokens are the server's clock in microseconds at the grant, the deadline its clock in ms.
        Assert.Equal("next", granted?.Owner);
        Assert.InRange(granted!.FencingToken / 1000.0, deadline, deadline + Soon.TotalMilliseconds);
        Assert.False(await Db.KeyExistsAsync(LockKeys.Queue("r")));
    }

    [Fact]
    public async Task TryAcquire_HolderExpiresUnreleased_QueuedHeadGetsTheLockAtItsRecheck()
    {
        await using var services = await LockServices.SingleAsync(
            redis.ConnectionString, ("Locks:MasterTimeout", "00:00:05"), ("Locks:QueueRecheckInterval", "00:00:00.100"));
        // Long enough for the head to queue before it expires, even on a loaded machine.
        var abandoned = await services.Locks.TryAcquireAsync(
            Request("r", "abandoned", expiry: TimeSpan.FromSeconds(3)) with { AutoExtend = false }, CancellationToken.None);

        var head = services.Locks.TryAcquireAsync(Request("r", "head", wait: TimeSpan.FromSeconds(30)), CancellationToken.None);
        await QueuedAsync("r", 1);
        await using var granted = await head.WaitAsync(Soon);

        Assert.Equal("head", granted?.Owner);
        Assert.True(granted!.FencingToken > abandoned!.FencingToken);
    }

    [Fact]
    public async Task TryAcquire_ZeroWaitOnHeldLock_RefusedWithoutQueueing()
    {
        await using var holder = await Locks.TryAcquireAsync(Request("r", "holder"), CancellationToken.None);

        var refused = await Locks.TryAcquireAsync(Request("r", "b", wait: TimeSpan.Zero), CancellationToken.None);
        var attempt = await _services.Backend.TryLockAsync("r", "c", TimeSpan.FromSeconds(10), CancellationToken.None);
        await holder!.ReleaseAsync(CancellationToken.None);
        var free = await _services.Backend.TryLockAsync("r", "c", TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Null(refused);
        Assert.Equal(LockAttemptOutcome.Held, attempt.Outcome);
        Assert.False(await Db.KeyExistsAsync(LockKeys.Queue("r")));
        Assert.True(free.Acquired);
    }

    [Fact]
    public async Task TryLock_FreeLockWhileOthersQueue_RefusedSoTheHeadKeepsItsTurn()
    {
        var holder = await Locks.TryAcquireAsync(Request("r", "holder"), CancellationToken.None);
        // The head is woken on release but its grant takes a round trip: in between, the lock is free and reserved.
        await Db.ListRightPushAsync(LockKeys.Queue("r"), "someone-queued");
        await Db.SortedSetAddAsync(LockKeys.Waiters("r"), "someone-queued", 1e13);
        await holder!.ReleaseAsync(CancellationToken.None);

        var attempt = await _services.Backend.TryLockAsync("r", "barging", TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Equal(LockAttemptOutcome.Held, attempt.Outcome);
        Assert.False(await Db.KeyExistsAsync(LockKeys.Owner("r")));
    }

    [Fact]
    public async Task Release_WaiterQueued_HandsItTheLockAndTellsItTheToken()
    {
        var holder = await Locks.TryAcquireAsync(Request("r", "holder"), CancellationToken.None);
        // A waiter as the acquire script queues one (id, deadline, the grant it asked for), in a
        // process that only listens: whatever it is granted, a release gave it.
        await QueueAsync("r", "w-1", placeFor: TimeSpan.FromMinutes(5), asked: "30000 w-1:listener");
        var told = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _raw.GetSubscriber().SubscribeAsync(RedisChannel.Literal(LockKeys.Wake("r")), (_, message) => told.TrySetResult(message!));

        await holder!.ReleaseAsync(CancellationToken.None);

        var token = (long)await Db.StringGetAsync(LockKeys.Fence("r"));
        Assert.Equal("w-1:listener", await Db.StringGetAsync(LockKeys.Owner("r")));
        Assert.InRange((await Db.KeyTimeToLiveAsync(LockKeys.Owner("r")))!.Value, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
        Assert.True(token > holder.FencingToken);
        Assert.Equal($"w-1 {token}", await told.Task.WaitAsync(Soon));
        Assert.False(await Db.KeyExistsAsync(LockKeys.Queue("r")));
        Assert.False(await Db.KeyExistsAsync(LockKeys.Turns("r")));
    }

    [Fact]
    public async Task Release_HeadsPlaceEndsSoon_HandedTheLockNoLongerThanItsPlace()
    {
        // A waiter that stopped re-checking (a killed process) holds a handed lock no longer than
        // it would have kept its place, not for the expiry it asked for.
        var holder = await Locks.TryAcquireAsync(Request("r", "holder"), CancellationToken.None);
        // Its place still holds at the release even if the machine stalls in between.
        await QueueAsync("r", "w-dead", placeFor: TimeSpan.FromSeconds(10), asked: "60000 w-dead:gone");

        await holder!.ReleaseAsync(CancellationToken.None);

        Assert.Equal("w-dead:gone", await Db.StringGetAsync(LockKeys.Owner("r")));
        Assert.InRange((await Db.KeyTimeToLiveAsync(LockKeys.Owner("r")))!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task TryAcquire_HandOverMessageLost_WaiterFindsItsGrantAtItsRecheckAndRenewsIt()
    {
        // A recheck answered later than the master timeout reads as "unavailable" and gives back
        // whatever the grant holds: on a loaded machine, the handed lock itself. Wait as others do.
        await using var services = await LockServices.SingleAsync(
            redis.ConnectionString, ("Locks:MasterTimeout", "00:00:05"), ("Locks:QueueRecheckInterval", "00:00:00.100"));
        await Db.StringSetAsync(LockKeys.Owner("r"), "g:raw-holder", TimeSpan.FromMinutes(1));
        var waiting = services.Locks.TryAcquireAsync(Request("r", "waiter", expiry: TimeSpan.FromSeconds(30), wait: TimeSpan.FromSeconds(30)), CancellationToken.None);
        await QueuedAsync("r", 1);
        var waiterId = (string)(await Db.ListGetByIndexAsync(LockKeys.Queue("r"), 0))!;

        // What the release script does, without the message: the grant, the token, the queue popped.
        var transaction = Db.CreateTransaction();
        _ = transaction.StringSetAsync(LockKeys.Owner("r"), $"{waiterId}:waiter", TimeSpan.FromSeconds(3));
        _ = transaction.StringSetAsync(LockKeys.Fence("r"), 4242);
        _ = transaction.ListLeftPopAsync(LockKeys.Queue("r"));
        _ = transaction.SortedSetRemoveAsync(LockKeys.Waiters("r"), waiterId);
        _ = transaction.HashDeleteAsync(LockKeys.Turns("r"), waiterId);
        Assert.True(await transaction.ExecuteAsync());
        await using var granted = await waiting.WaitAsync(Soon);

        Assert.Equal(4242, granted?.FencingToken);
        Assert.Equal(waiterId, granted!.GrantId);
        Assert.InRange((await Db.KeyTimeToLiveAsync(LockKeys.Owner("r")))!.Value, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
    }

    private async Task QueueAsync(string resource, string waiterId, TimeSpan placeFor, string asked)
    {
        var time = (RedisResult[])(await Db.ExecuteAsync("TIME"))!;
        var nowMs = ((long)time[0] * 1000) + ((long)time[1] / 1000);
        await Db.ListRightPushAsync(LockKeys.Queue(resource), waiterId);
        await Db.SortedSetAddAsync(LockKeys.Waiters(resource), waiterId, nowMs + placeFor.TotalMilliseconds);
        await Db.HashSetAsync(LockKeys.Turns(resource), waiterId, asked);
    }

    private Task QueuedAsync(string resource, int waiters, TimeSpan? within = null) =>
        Poll.UntilAsync(
            async () => await Db.ListLengthAsync(LockKeys.Queue(resource)) == waiters,
            within ?? Soon, $"{waiters} waiters queued for {resource}");
}
