using Mesh.Notifications.Notifying;
using Mesh.Testing;
using System.Text;

namespace Mesh.IntegrationTests;

public sealed class RedisTimelineTests(RedisServerFixture redis) : RedisTestBase(redis)
{
    [Fact]
    public async Task AddIfAbsent_SameIdTwice_StoresAndPublishesOnce()
    {
        var timeline = new RedisTimeline(Redis, "test");
        var queue = await Redis.GetSubscriber().SubscribeAsync(timeline.LiveChannel("u1"));

        var first = await timeline.AddIfAbsentAsync("u1", "a", DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes("one"), publish: true);
        var second = await timeline.AddIfAbsentAsync("u1", "a", DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes("two"), publish: true);

        Assert.True(first);
        Assert.False(second);
        Assert.Equal("one", Encoding.UTF8.GetString((await timeline.GetAsync("u1", "a"))!));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.Equal("one", (string?)(await queue.ReadAsync(timeout.Token)).Message);
        await Task.Delay(200);
        Assert.False(queue.TryRead(out _));
    }

    [Fact]
    public async Task Page_ThreeItemsPagesOfTwo_NewestFirstWithHasMore()
    {
        var timeline = new RedisTimeline(Redis, "test");
        var start = DateTimeOffset.UtcNow;
        foreach (var (id, offset) in new[] { ("a", 0), ("b", 1), ("c", 2) })
        {
            await timeline.AddIfAbsentAsync("u1", id, start.AddSeconds(offset), Encoding.UTF8.GetBytes(id), publish: false);
        }

        var (first, moreAfterFirst) = await timeline.PageAsync("u1", 0, 2);
        var (second, moreAfterSecond) = await timeline.PageAsync("u1", 2, 2);

        Assert.Equal(["c", "b"], first.Select(Encoding.UTF8.GetString));
        Assert.True(moreAfterFirst);
        Assert.Equal(["a"], second.Select(Encoding.UTF8.GetString));
        Assert.False(moreAfterSecond);
        Assert.Empty((await timeline.PageAsync("u2", 0, 2)).Items);
    }

    [Fact]
    public async Task Since_KnownItem_LaterItemsOldestFirstWithTheOverlapAndNotItself()
    {
        var timeline = new RedisTimeline(Redis, "test");
        var start = DateTimeOffset.UtcNow;
        foreach (var (id, seconds) in new[] { ("old", -60), ("near", -5), ("seen", 0), ("late", 3), ("later", 9) })
        {
            await timeline.AddIfAbsentAsync("u1", id, start.AddSeconds(seconds), Encoding.UTF8.GetBytes(id), publish: false);
        }

        var since = await timeline.SinceAsync("u1", "seen", TimeSpan.FromSeconds(10), limit: 10);

        Assert.Equal(["near", "late", "later"], since!.Select(Encoding.UTF8.GetString));
    }

    [Fact]
    public async Task Since_MoreThanTheLimit_OneMoreThanTheLimitSoTheCallerKnows()
    {
        var timeline = new RedisTimeline(Redis, "test");
        var start = DateTimeOffset.UtcNow;
        for (var i = 0; i < 6; i++)
        {
            await timeline.AddIfAbsentAsync("u1", $"n{i}", start.AddSeconds(i), Encoding.UTF8.GetBytes($"n{i}"), publish: false);
        }

        var since = await timeline.SinceAsync("u1", "n0", TimeSpan.Zero, limit: 3);

        Assert.Equal(["n1", "n2", "n3", "n4"], since!.Select(Encoding.UTF8.GetString));
    }

    [Fact]
    public async Task Since_UnknownItem_Null()
    {
        var timeline = new RedisTimeline(Redis, "test");
        await timeline.AddIfAbsentAsync("u1", "a", DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes("a"), publish: false);

        Assert.Null(await timeline.SinceAsync("u1", "nothing", TimeSpan.FromSeconds(10), limit: 10));
    }
}
