using Mesh.Notifications.Streaming;
using Mesh.Testing;

namespace Mesh.IntegrationTests;

public sealed class StreamSlotsTests(RedisServerFixture redis) : RedisTestBase(redis)
{
    [Fact]
    public async Task TryTake_AllSlotsHeld_RefusedUntilOneIsReleased()
    {
        var slots = new StreamSlots(Redis);
        var lease = TimeSpan.FromSeconds(30);

        var taken = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            taken.Add(await slots.TryTakeAsync("u1", $"s{i}", maxStreams: 2, lease));
        }

        await slots.ReleaseAsync("u1", "s0");

        Assert.Equal([true, true, false], taken);
        Assert.True(await slots.TryTakeAsync("u1", "s3", maxStreams: 2, lease));
        Assert.True(await slots.TryTakeAsync("u2", "s0", maxStreams: 2, lease));
    }

    [Fact]
    public async Task TryTake_HolderStoppedRenewing_ItsSlotLapsesAfterTheLease()
    {
        var slots = new StreamSlots(Redis);
        // Renewed four times per lease, so that a late renewal on a loaded machine still lands in
        // time; 3 s in all, well past the crashed holder's 2 s lease.
        var shortLease = TimeSpan.FromSeconds(2);
        Assert.True(await slots.TryTakeAsync("u1", "crashed", maxStreams: 1, shortLease));
        Assert.True(await slots.TryTakeAsync("u1", "alive", maxStreams: 2, shortLease));

        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(500);
            await slots.RenewAsync("u1", "alive", shortLease);
        }

        Assert.True(await slots.TryTakeAsync("u1", "next", maxStreams: 2, shortLease));
        Assert.False(await slots.TryTakeAsync("u1", "one-too-many", maxStreams: 2, shortLease));
    }
}
