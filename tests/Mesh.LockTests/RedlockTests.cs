using System.Collections.Concurrent;
using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.Sidecar.V1;
using Mesh.LockTests.Infrastructure;
using Mesh.Locks;
using Mesh.Testing;
using StackExchange.Redis;

namespace Mesh.LockTests;

/// <summary>Redlock over three independent redis-server masters, some of them killed mid-test.</summary>
public sealed class RedlockTests : IAsyncLifetime
{
    // Where masters are killed: a dead master's answer is waited for no longer than this.
    private static readonly (string, string) FastMasters = ("Locks:MasterTimeout", "00:00:00.300");

    // Where every master lives: a slow answer on a loaded machine must not read as a dead master.
    private static readonly (string, string) PatientMasters = ("Locks:MasterTimeout", "00:00:05");

    private readonly RedisServerFixture _store = new();
    private RedisMasters _masters = null!;

    public async Task InitializeAsync()
    {
        _masters = await RedisMasters.StartAsync(3);
        await _store.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _masters.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task TryLock_CancelledAfterItsScriptsWereSent_LeavesTheLockFreeOnEveryMaster()
    {
        await using var services = LockServices.Redlock(_masters.ConnectionStrings, PatientMasters);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            services.Backend.TryLockAsync("r", "a", TimeSpan.FromSeconds(30), new CancellationToken(canceled: true)));
        var next = await services.Backend.TryLockAsync("r", "b", TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.True(next.Acquired);
        foreach (var master in _masters.ConnectionStrings)
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(master);
            Assert.EndsWith(":b", (string?)await connection.GetDatabase().StringGetAsync(LockKeys.Owner("r")));
        }
    }

    [Fact]
    public async Task TryAcquire_OneMasterKilledUnderContention_CounterExactAndTokensIncrease()
    {
        await using var services = LockServices.Redlock(_masters.ConnectionStrings, FastMasters);
        await using var store = await ConnectionMultiplexer.ConnectAsync(_store.ConnectionString);
        var db = store.GetDatabase();
        var observed = new ConcurrentQueue<(long Read, long Token)>();
        using var stop = new CancellationTokenSource();

        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var request = new LockRequest("counter", $"w{worker}", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5));
            while (!stop.IsCancellationRequested)
            {
                await using var held = await services.Locks.TryAcquireAsync(request, CancellationToken.None);
                var read = (long?)await db.StringGetAsync("plain-counter") ?? 0;
                await db.StringSetAsync("plain-counter", read + 1);
                observed.Enqueue((read, held!.FencingToken));
            }
        })).ToList();
        await Poll.UntilAsync(() => observed.Count >= 100, TimeSpan.FromSeconds(30), "100 grants before the kill", TimeSpan.FromMilliseconds(10));

        await _masters.KillAsync(0);
        // However fast the machine, the workers go on until the two masters left granted 100 more.
        var atKill = observed.Count;
        await Poll.UntilAsync(() => observed.Count >= atKill + 100, TimeSpan.FromSeconds(60), "100 grants after the kill", TimeSpan.FromMilliseconds(10));
        await stop.CancelAsync();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        var ordered = observed.OrderBy(o => o.Read).ToList();
        Assert.Equal(ordered.Count, (long)await db.StringGetAsync("plain-counter"));
        Assert.Equal(Enumerable.Range(0, ordered.Count).Select(i => (long)i), ordered.Select(o => o.Read));
        Assert.All(ordered.Zip(ordered.Skip(1)), pair => Assert.True(pair.Second.Token > pair.First.Token, $"{pair}"));
    }

    [Fact]
    public async Task TryAcquire_TwoMastersKilled_UnavailableAndHolderLearnsItLostTheLock()
    {
        await using var services = LockServices.Redlock(_masters.ConnectionStrings, FastMasters);
        await using var held = await services.Locks.TryAcquireAsync(
            LockManagerTests.Request("r", "holder", expiry: TimeSpan.FromSeconds(1)), CancellationToken.None);
        Assert.NotNull(held);

        await _masters.KillAsync(0);
        await _masters.KillAsync(1);

        await Assert.ThrowsAsync<LockUnavailableException>(() => services.Locks.TryAcquireAsync(
            LockManagerTests.Request("r", "other", wait: TimeSpan.FromMilliseconds(500)), CancellationToken.None));
        await Assert.ThrowsAsync<LockUnavailableException>(() => services.Locks.TryAcquireAsync(
            LockManagerTests.Request("free", "other", wait: TimeSpan.FromMilliseconds(500)), CancellationToken.None));
        await LockManagerTests.WhenCancelledAsync(held.LockLost, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task TryLock_GrantsOnDifferentMajorities_TokensStillStrictlyIncrease()
    {
        await using var services = LockServices.Redlock(_masters.ConnectionStrings, PatientMasters);
        var connections = await Task.WhenAll(_masters.ConnectionStrings.Select(c => ConnectionMultiplexer.ConnectAsync(c)));
        var tokens = new List<long>();

        // Each grant finds a different master taken by an outsider, so the three grants use three
        // different majorities: {1,2}, {0,2}... whose counters would drift apart without fencing imprints.
        foreach (var blocked in new[] { 2, 0, 1 })
        {
            var outsider = connections[blocked].GetDatabase();
            await outsider.StringSetAsync(LockKeys.Owner("r"), "outsider:x", TimeSpan.FromSeconds(30));
            var attempt = await services.Backend.TryLockAsync("r", "a", TimeSpan.FromSeconds(10), CancellationToken.None);
            await outsider.KeyDeleteAsync(LockKeys.Owner("r"));
            Assert.True(attempt.Acquired);
            tokens.Add(attempt.FencingToken);
            Assert.Equal(LockStatus.Success, await services.Backend.ReleaseAsync("r", "a", attempt.GrantId, CancellationToken.None));
        }

        Assert.True(tokens[0] < tokens[1] && tokens[1] < tokens[2], string.Join(", ", tokens));
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sidecar_OneMasterKilledStillGrants_TwoKilledAnswersUnavailable()
    {
        await using var sidecar = await SidecarProcess.StartAsync(_store.ConnectionString, [.. _masters.ConnectionStrings]);
        var locks = sidecar.Locks;

        var first = await locks.TryLockAsync(TryLock("r1", "a"), deadline: SidecarProcess.Deadline);
        await _masters.KillAsync(0);
        var contended = await locks.TryLockAsync(TryLock("r1", "b"), deadline: SidecarProcess.Deadline);
        var unlocked = await locks.UnlockAsync(new UnlockRequest { ResourceId = "r1", LockOwner = "a" }, deadline: SidecarProcess.Deadline);
        var second = await locks.TryLockAsync(TryLock("r1", "b"), deadline: SidecarProcess.Deadline);

        Assert.True(first.Success);
        Assert.False(contended.Success);
        Assert.Equal(UnlockResponse.Types.Status.Success, unlocked.Status);
        Assert.True(second.Success);
        Assert.True(second.FencingToken > first.FencingToken);

        await _masters.KillAsync(1);
        var status = await RpcAssert.FailsWithDetailsAsync(StatusCode.Unavailable, () =>
            locks.TryLockAsync(TryLock("r1", "c"), deadline: SidecarProcess.Deadline).ResponseAsync);
        await RpcAssert.FailsWithDetailsAsync(StatusCode.Unavailable, () =>
            locks.TryLockAsync(TryLock("never-locked", "c"), deadline: SidecarProcess.Deadline).ResponseAsync);
        await RpcAssert.FailsWithDetailsAsync(StatusCode.Unavailable, () =>
            locks.UnlockAsync(new UnlockRequest { ResourceId = "r1", LockOwner = "b" }, deadline: SidecarProcess.Deadline).ResponseAsync);

        Assert.True(status.Detail<RetryInfo>().RetryDelay.ToTimeSpan() > TimeSpan.Zero);
    }

    private static TryLockRequest TryLock(string resource, string owner) =>
        new() { ResourceId = resource, LockOwner = owner, ExpiryInSeconds = 30 };
}
