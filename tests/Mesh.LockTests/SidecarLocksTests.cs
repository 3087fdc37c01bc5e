using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.Sidecar.V1;
using Mesh.LockTests.Infrastructure;
using Mesh.Testing;
// Inside namespace Mesh, a bare Locks names the namespace Mesh.Locks (the lock library) before any using.
using SidecarLocks = Mesh.Contracts.Sidecar.V1.Locks;

namespace Mesh.LockTests;

/// <summary>mesh.sidecar.v1.Locks through a real sidecar process on one redis-server.</summary>
public sealed class SidecarLocksTests(SidecarFixture sidecar) : IClassFixture<SidecarFixture>
{
    private SidecarLocks.LocksClient Locks => sidecar.Process.Locks;

    [Fact]
    public async Task TryLock_FreeResource_SucceedsWithFencingToken()
    {
        var reply = await TryLockAsync(NewResource(), "a", 30);

        Assert.True(reply.Success);
        Assert.True(reply.FencingToken > 0);
    }

    [Fact]
    public async Task TryLock_HeldByAnyOwner_FalseWithoutToken()
    {
        var resource = NewResource();
        await TryLockAsync(resource, "a", 30);

        var other = await TryLockAsync(resource, "b", 30);
        var same = await TryLockAsync(resource, "a", 30);

        Assert.Equal(new TryLockResponse { Success = false }, other);
        Assert.False(same.Success);
    }

    [Fact]
    public async Task Unlock_ByOwner_SuccessAndNextOwnerGetsHigherToken()
    {
        var resource = NewResource();
        var first = await TryLockAsync(resource, "a", 30);

        var unlocked = await UnlockAsync(resource, "a");
        var next = await TryLockAsync(resource, "b", 30);

        Assert.Equal(UnlockResponse.Types.Status.Success, unlocked.Status);
        Assert.True(next.Success);
        Assert.True(next.FencingToken > first.FencingToken);
    }

    [Fact]
    public async Task Unlock_ByOtherOwner_LockBelongsToOthersAndLockStays()
    {
        var resource = NewResource();
        await TryLockAsync(resource, "a", 30);

        var reply = await UnlockAsync(resource, "b");

        Assert.Equal(UnlockResponse.Types.Status.LockBelongsToOthers, reply.Status);
        Assert.False((await TryLockAsync(resource, "b", 30)).Success);
    }

    [Fact]
    public async Task Unlock_UnknownResource_LockDoesNotExist()
    {
        var reply = await UnlockAsync(NewResource(), "a");

        Assert.Equal(UnlockResponse.Types.Status.LockDoesNotExist, reply.Status);
    }

    [Fact]
    public async Task TryLock_AfterExpiry_OtherOwnerSucceeds()
    {
        var resource = NewResource();
        await TryLockAsync(resource, "a", 1);

        await Task.Delay(1200);
        var reply = await TryLockAsync(resource, "b", 30);

        Assert.True(reply.Success);
        Assert.Equal(UnlockResponse.Types.Status.LockBelongsToOthers, (await UnlockAsync(resource, "a")).Status);
    }

    [Fact]
    public async Task Extend_ByOwner_HeldPastFirstExpiry()
    {
        // 3 s: the extension lands before the first expiry even on a loaded machine.
        var resource = NewResource();
        await TryLockAsync(resource, "a", 3);

        var extended = await Locks.ExtendAsync(
            new ExtendRequest { ResourceId = resource, LockOwner = "a", ExpiryInSeconds = 30 }, deadline: SidecarProcess.Deadline);
        await Task.Delay(3200);

        Assert.Equal(ExtendResponse.Types.Status.Success, extended.Status);
        Assert.False((await TryLockAsync(resource, "b", 30)).Success);
    }

    [Theory]
    [InlineData("b", ExtendResponse.Types.Status.LockBelongsToOthers)]
    [InlineData(null, ExtendResponse.Types.Status.LockDoesNotExist)]
    public async Task Extend_NotTheOwnersLock_StatusSaysWhy(string? otherOwner, ExtendResponse.Types.Status expected)
    {
        var resource = NewResource();
        if (otherOwner is not null)
        {
            await TryLockAsync(resource, "a", 30);
        }

        var reply = await Locks.ExtendAsync(
            new ExtendRequest { ResourceId = resource, LockOwner = otherOwner ?? "a", ExpiryInSeconds = 30 }, deadline: SidecarProcess.Deadline);

        Assert.Equal(expected, reply.Status);
    }

    [Theory]
    [InlineData("", "a", 10, "resource_id")]
    [InlineData("r", " ", 10, "lock_owner")]
    [InlineData("r", "a", 0, "expiry_in_seconds")]
    [InlineData("r", "a", 3601, "expiry_in_seconds")]
    [InlineData("r", "a", -5, "expiry_in_seconds")]
    public async Task TryLock_InvalidField_InvalidArgumentNamesIt(string resource, string owner, int expiry, string field)
    {
        var status = await RpcAssert.FailsWithDetailsAsync(StatusCode.InvalidArgument, () => TryLockAsync(resource, owner, expiry));

        Assert.Equal(field, Assert.Single(status.Detail<BadRequest>().FieldViolations).Field);
    }

    [Fact]
    public async Task TryLock_ExpiryAtBothBounds_Accepted()
    {
        Assert.True((await TryLockAsync(NewResource(), "a", 1)).Success);
        Assert.True((await TryLockAsync(NewResource(), "a", 3600)).Success);
    }

    [Fact]
    public async Task UnlockAndExtend_EmptyFields_InvalidArgumentNamesBoth()
    {
        var unlock = await RpcAssert.FailsWithDetailsAsync(StatusCode.InvalidArgument, () => UnlockAsync("", ""));
        var extend = await RpcAssert.FailsWithDetailsAsync(StatusCode.InvalidArgument, () =>
            Locks.ExtendAsync(new ExtendRequest(), deadline: SidecarProcess.Deadline).ResponseAsync);

        Assert.Equal(["lock_owner", "resource_id"], unlock.Detail<BadRequest>().FieldViolations.Select(v => v.Field).Order());
        Assert.Equal(
            ["expiry_in_seconds", "lock_owner", "resource_id"], extend.Detail<BadRequest>().FieldViolations.Select(v => v.Field).Order());
    }

    [Fact]
    public async Task TryLock_WithoutAppToken_Unauthenticated()
    {
        var anonymous = new SidecarLocks.LocksClient(sidecar.Process.Channel);

        var status = await RpcAssert.FailsWithDetailsAsync(StatusCode.Unauthenticated, () => anonymous.TryLockAsync(
            new TryLockRequest { ResourceId = NewResource(), LockOwner = "a", ExpiryInSeconds = 30 }, deadline: SidecarProcess.Deadline).ResponseAsync);

        Assert.Equal("MISSING_APP_TOKEN", status.Detail<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task TryLock_UnknownAppToken_Unauthenticated()
    {
        var stranger = new SidecarLocks.LocksClient(sidecar.Process.Channel);
        var headers = new Metadata { { "authorization", $"Bearer {Guid.NewGuid():N}" } };

        var status = await RpcAssert.FailsWithDetailsAsync(StatusCode.Unauthenticated, () => stranger.TryLockAsync(
            new TryLockRequest { ResourceId = NewResource(), LockOwner = "a", ExpiryInSeconds = 30 }, headers, SidecarProcess.Deadline).ResponseAsync);

        Assert.Equal("UNKNOWN_APP_TOKEN", status.Detail<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task OneConnection_EveryCallIsKnownByItsOwnToken()
    {
        // The sidecar remembers the token a connection last proved; every call on that connection
        // (one channel, one HTTP/2 connection) with another token is still checked on its own.
        var resource = NewResource();
        var mine = SidecarApps.TokenOf(SidecarApps.Tests);
        var connection = new SidecarLocks.LocksClient(sidecar.Process.Channel);
        Assert.True((await TryLockAsync(resource, "a", 30)).Success);

        foreach (var wrong in new[] { mine + "0", mine[..^1], mine[..^1] + (mine[^1] == '0' ? '1' : '0') })
        {
            var status = await RpcAssert.FailsWithDetailsAsync(StatusCode.Unauthenticated, () => connection.TryLockAsync(
                new TryLockRequest { ResourceId = resource, LockOwner = "b", ExpiryInSeconds = 30 },
                new Metadata { { "dapr-api-token", wrong } }, SidecarProcess.Deadline).ResponseAsync);
            Assert.Equal("UNKNOWN_APP_TOKEN", status.Detail<ErrorInfo>().Reason);
        }

        var theirs = await sidecar.Process.LocksOf(SidecarApps.Other).TryLockAsync(
            new TryLockRequest { ResourceId = resource, LockOwner = "b", ExpiryInSeconds = 30 }, deadline: SidecarProcess.Deadline);
        Assert.True(theirs.Success);
        Assert.False((await TryLockAsync(resource, "b", 30)).Success);
    }

    [Fact]
    public async Task TryLock_SameResourceAndOwnerFromAnotherApp_EachAppHasItsOwnLock()
    {
        var resource = NewResource();
        var other = sidecar.Process.LocksOf(SidecarApps.Other);
        var mine = await TryLockAsync(resource, "a", 30);

        var theirs = await other.TryLockAsync(
            new TryLockRequest { ResourceId = resource, LockOwner = "a", ExpiryInSeconds = 30 }, deadline: SidecarProcess.Deadline);

        Assert.True(mine.Success);
        Assert.True(theirs.Success);
    }

    [Fact]
    public async Task UnlockAndExtend_AnotherAppsLockWithItsOwnerName_DoNotTouchIt()
    {
        var resource = NewResource();
        await TryLockAsync(resource, "a", 30);
        var other = sidecar.Process.LocksOf(SidecarApps.Other);

        var unlock = await other.UnlockAsync(new UnlockRequest { ResourceId = resource, LockOwner = "a" }, deadline: SidecarProcess.Deadline);
        var extend = await other.ExtendAsync(
            new ExtendRequest { ResourceId = resource, LockOwner = "a", ExpiryInSeconds = 3600 }, deadline: SidecarProcess.Deadline);

        Assert.Equal(UnlockResponse.Types.Status.LockDoesNotExist, unlock.Status);
        Assert.Equal(ExtendResponse.Types.Status.LockDoesNotExist, extend.Status);
        Assert.False((await TryLockAsync(resource, "b", 30)).Success);
    }

    private static string NewResource() => $"res-{Guid.NewGuid():N}";

    private Task<TryLockResponse> TryLockAsync(string resource, string owner, int expiry) =>
        Locks.TryLockAsync(
            new TryLockRequest { ResourceId = resource, LockOwner = owner, ExpiryInSeconds = expiry }, deadline: SidecarProcess.Deadline).ResponseAsync;

    private Task<UnlockResponse> UnlockAsync(string resource, string owner) =>
        Locks.UnlockAsync(new UnlockRequest { ResourceId = resource, LockOwner = owner }, deadline: SidecarProcess.Deadline).ResponseAsync;
}
