using Mesh.ServiceDefaults.Redis;
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
}
