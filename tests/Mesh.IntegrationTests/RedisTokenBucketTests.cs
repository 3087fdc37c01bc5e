using Mesh.Coordination.Quotas;
using Mesh.Testing;

namespace Mesh.IntegrationTests;

public sealed class RedisTokenBucketTests(RedisServerFixture redis) : RedisTestBase(redis)
{
    private static readonly QuotaPolicy Slow = new("slow", Capacity: 5, RefillPerSecond: 0.001);

    [Fact]
    public async Task TryTake_FullBucket_AllowsCapacityThenRejects()
    {
        var bucket = new RedisTokenBucket(Redis);

        var decisions = new List<QuotaDecision>();
        for (var i = 0; i < 6; i++)
        {
            decisions.Add(await bucket.TryTakeAsync("quotas:{t}:a", Slow, 1, CancellationToken.None));
        }

        Assert.Equal([true, true, true, true, true, false], decisions.Select(d => d.Allowed));
        Assert.Equal(4, Math.Floor(decisions[0].Remaining));
        Assert.Equal(0, Math.Floor(decisions[4].Remaining));
        Assert.InRange(decisions[5].RetryAfter, TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(1001));
    }

    [Fact]
    public async Task TryTake_Rejected_ConsumesNothing()
    {
        var bucket = new RedisTokenBucket(Redis);
        await bucket.TryTakeAsync("quotas:{t}:b", Slow, 4, CancellationToken.None);

        var rejected = await bucket.TryTakeAsync("quotas:{t}:b", Slow, 3, CancellationToken.None);
        var allowed = await bucket.TryTakeAsync("quotas:{t}:b", Slow, 1, CancellationToken.None);

        Assert.False(rejected.Allowed);
        Assert.True(allowed.Allowed);
    }

    [Fact]
    public async Task TryTake_AfterRefillTime_AllowsAgain()
    {
        var fast = new QuotaPolicy("fast", Capacity: 2, RefillPerSecond: 2);
        var bucket = new RedisTokenBucket(Redis);
        await bucket.TryTakeAsync("quotas:{t}:c", fast, 2, CancellationToken.None);
        var empty = await bucket.TryTakeAsync("quotas:{t}:c", fast, 1, CancellationToken.None);

        await Task.Delay(empty.RetryAfter + TimeSpan.FromMilliseconds(30));
        var refilled = await bucket.TryTakeAsync("quotas:{t}:c", fast, 1, CancellationToken.None);

        Assert.False(empty.Allowed);
        Assert.True(refilled.Allowed);
    }

    [Fact]
    public async Task TryTake_ManyConcurrentCallers_AllowsExactlyCapacity()
    {
        var policy = new QuotaPolicy("burst", Capacity: 50, RefillPerSecond: 0.0001);
        var bucket = new RedisTokenBucket(Redis);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            bucket.TryTakeAsync("quotas:{t}:d", policy, 1, CancellationToken.None)));

        Assert.Equal(50, decisions.Count(d => d.Allowed));
    }

    [Fact]
    public async Task TryTake_Always_KeyExpiresWhenBucketWouldBeFull()
    {
        var policy = new QuotaPolicy("ttl", Capacity: 10, RefillPerSecond: 1);
        var bucket = new RedisTokenBucket(Redis);

        await bucket.TryTakeAsync("quotas:{t}:e", policy, 3, CancellationToken.None);
        var ttl = await Redis.GetDatabase().KeyTimeToLiveAsync("quotas:{t}:e");

        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3));
    }
}
