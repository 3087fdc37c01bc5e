// Dapr marks its lock API experimental (DAPR_DISTRIBUTEDLOCK); that API is what these tests exercise.
#pragma warning disable DAPR_DISTRIBUTEDLOCK

using Dapr;
using Dapr.Client;
using Google.Rpc;
using Grpc.Core;
using Mesh.LockTests.Infrastructure;
using Mesh.Testing;
using MeshLocks = Mesh.Contracts.Sidecar.V1;

namespace Mesh.LockTests;

/// <summary>
/// The sidecar's Dapr API through Dapr's own .NET client (Dapr.Client from NuGet, unchanged): what an
/// app written for Dapr sees when this sidecar stands where Dapr's would.
/// </summary>
public sealed class DaprClientLocksTests(DaprSidecarFixture fixture, SidecarFixture storesUnlisted)
    : IClassFixture<DaprSidecarFixture>, IClassFixture<SidecarFixture>
{
    private const string Store = DaprSidecarFixture.Store;

    private SidecarProcess Sidecar => fixture.Process;

    [Fact]
    public async Task Lock_TakenRefusedReleased_AnswersAsDapr()
    {
        using var dapr = DaprClients.As(Sidecar);
        var resource = NewResource();

        var taken = await dapr.Lock(Store, resource, "owner-a", 30);
        var refused = await dapr.Lock(Store, resource, "owner-b", 30);
        var sameOwner = await dapr.Lock(Store, resource, "owner-a", 30);
        var notTheirs = await dapr.Unlock(Store, resource, "owner-b");
        var released = await dapr.Unlock(Store, resource, "owner-a");
        var gone = await dapr.Unlock(Store, resource, "owner-a");
        var retaken = await dapr.Lock(Store, resource, "owner-b", 30);

        Assert.True(taken.Success);
        Assert.False(refused.Success);
        Assert.False(sameOwner.Success);
        Assert.Equal(LockStatus.LockBelongsToOthers, notTheirs.status);
        Assert.Equal(LockStatus.Success, released.status);
        Assert.Equal(LockStatus.LockDoesNotExist, gone.status);
        Assert.True(retaken.Success);
    }

    [Fact]
    public async Task Lock_Held_NeverWaits()
    {
        using var dapr = DaprClients.As(Sidecar);
        var resource = NewResource();
        await dapr.Lock(Store, resource, "owner-a", 60);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var refused = await dapr.Lock(Store, resource, "owner-b", 60);

        Assert.False(refused.Success);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"TryLock took {clock.Elapsed} for a held lock.");
    }

    [Fact]
    public async Task Lock_FencingTokenHeader_GrowsAcrossGrants()
    {
        var headers = new ResponseHeaderRecorder("x-fencing-token");
        using var dapr = DaprClients.As(Sidecar, headers: headers);
        var resource = NewResource();

        for (var owner = 0; owner < 4; owner++)
        {
            Assert.True((await dapr.Lock(Store, resource, $"owner-{owner}", 30)).Success);
            Assert.Equal(LockStatus.Success, (await dapr.Unlock(Store, resource, $"owner-{owner}")).status);
        }

        var tokens = headers.Values.Select(long.Parse).ToList();
        Assert.Equal(4, tokens.Count);
        Assert.True(tokens.Zip(tokens.Skip(1)).All(pair => pair.First < pair.Second), string.Join(", ", tokens));
    }

    [Fact]
    public async Task Lock_Refused_CarriesNoFencingToken()
    {
        var headers = new ResponseHeaderRecorder("x-fencing-token");
        using var holder = DaprClients.As(Sidecar);
        using var dapr = DaprClients.As(Sidecar, headers: headers);
        var resource = NewResource();
        await holder.Lock(Store, resource, "owner-a", 30);

        var refused = await dapr.Lock(Store, resource, "owner-b", 30);

        Assert.False(refused.Success);
        Assert.Empty(headers.Values);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token-the-sidecar-knows")]
    public async Task Lock_MissingOrWrongToken_Unauthenticated(string? token)
    {
        using var dapr = DaprClients.For(Sidecar, token);

        var failure = await Assert.ThrowsAsync<DaprException>(() => dapr.Lock(Store, NewResource(), "owner-a", 30));

        Assert.Equal(StatusCode.Unauthenticated, Assert.IsType<RpcException>(failure.InnerException).StatusCode);
    }

    [Fact]
    public async Task Unlock_AnotherApp_CannotReleaseTheLock()
    {
        using var mine = DaprClients.As(Sidecar);
        using var theirs = DaprClients.As(Sidecar, SidecarApps.Other);
        var resource = NewResource();
        await mine.Lock(Store, resource, "owner-a", 30);

        var unlocked = await theirs.Unlock(Store, resource, "owner-a");
        var stillHeld = await mine.Lock(Store, resource, "owner-b", 30);

        Assert.Equal(LockStatus.LockDoesNotExist, unlocked.status);
        Assert.False(stillHeld.Success);
    }

    [Fact]
    public async Task Lock_SameAppThroughMeshLocks_SharesTheLock()
    {
        using var dapr = DaprClients.As(Sidecar);
        var resource = NewResource();
        await dapr.Lock(Store, resource, "owner-a", 30);

        var mesh = await Sidecar.Locks.TryLockAsync(
            new MeshLocks.TryLockRequest { ResourceId = resource, LockOwner = "owner-b", ExpiryInSeconds = 30 }, deadline: SidecarProcess.Deadline);
        var meshUnlock = await Sidecar.Locks.UnlockAsync(
            new MeshLocks.UnlockRequest { ResourceId = resource, LockOwner = "owner-a" }, deadline: SidecarProcess.Deadline);

        Assert.False(mesh.Success);
        Assert.Equal(MeshLocks.UnlockResponse.Types.Status.Success, meshUnlock.Status);
        Assert.True((await dapr.Lock(Store, resource, "owner-b", 30)).Success);
    }

    [Fact]
    public async Task Lock_UnknownStore_InvalidArgumentAsDapr()
    {
        using var dapr = DaprClients.As(Sidecar);

        var failure = await Assert.ThrowsAsync<DaprException>(() => dapr.Lock("no-such-store", NewResource(), "owner-a", 30));

        var rpc = Assert.IsType<RpcException>(failure.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("lock store no-such-store not found", rpc.Status.Detail);
        Assert.Equal("store_name", Assert.Single(rpc.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
    }

    [Theory]
    [InlineData("lockstore")]
    [InlineData("any-name-at-all")]
    public async Task Lock_NoStoresListed_AnyStoreNameIsTheAppsOneLockSpace(string store)
    {
        using var dapr = DaprClients.As(storesUnlisted.Process);
        var resource = NewResource();

        var taken = await dapr.Lock(store, resource, "owner-a", 30);
        var otherStore = await dapr.Lock($"{store}-2", resource, "owner-b", 30);

        Assert.True(taken.Success);
        Assert.False(otherStore.Success);
    }

    [Theory]
    [InlineData(3601, "expiry_in_seconds")]
    [InlineData(1, null)]
    [InlineData(3600, null)]
    public async Task Lock_ExpiryBounds_OneSecondToOneHour(int expiry, string? violation)
    {
        using var dapr = DaprClients.As(Sidecar);

        if (violation is null)
        {
            Assert.True((await dapr.Lock(Store, NewResource(), "owner-a", expiry)).Success);
            return;
        }

        var failure = await Assert.ThrowsAsync<DaprException>(() => dapr.Lock(Store, NewResource(), "owner-a", expiry));
        var rpc = Assert.IsType<RpcException>(failure.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal(violation, Assert.Single(rpc.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
    }

    [Fact]
    public async Task Lock_OversizedResourceAndOwner_InvalidArgumentNamesBoth()
    {
        using var dapr = DaprClients.As(Sidecar);

        var failure = await Assert.ThrowsAsync<DaprException>(() => dapr.Lock(Store, new string('r', 513), new string('o', 257), 30));

        var rpc = Assert.IsType<RpcException>(failure.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal(["lock_owner", "resource_id"], rpc.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field).Order());
    }

    [Fact]
    public async Task GetState_OtherDaprBuildingBlocks_Unimplemented()
    {
        using var dapr = DaprClients.As(Sidecar);

        var failure = await Assert.ThrowsAsync<DaprException>(() => dapr.GetStateAsync<string>("statestore", "key"));

        Assert.Equal(StatusCode.Unimplemented, Assert.IsType<RpcException>(failure.InnerException).StatusCode);
    }

    [Fact]
    public async Task GetMetadata_AnswersTheAppOfTheTokenAndItsLockStore()
    {
        using var dapr = DaprClients.As(Sidecar, SidecarApps.Other);

        var metadata = await dapr.GetMetadataAsync();

        Assert.Equal(SidecarApps.Other, metadata.Id);
        Assert.Equal(Store, Assert.Single(metadata.Components).Name);
    }

    [Fact]
    public async Task WaitForSidecar_HealthzOutbound_ReturnsAtOnce()
    {
        using var dapr = DaprClients.As(Sidecar);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await dapr.WaitForSidecarAsync(timeout.Token);

        Assert.True(await dapr.CheckHealthAsync(timeout.Token));
    }

    private static string NewResource() => $"res-{Guid.NewGuid():N}";
}
