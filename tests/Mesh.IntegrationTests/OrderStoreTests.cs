using Mesh.Contracts.Events.V1;
using Mesh.Orders.Ordering;
using Mesh.Testing;
using Microsoft.Extensions.Options;

namespace Mesh.IntegrationTests;

public sealed class OrderStoreTests(RedisServerFixture redis) : RedisTestBase(redis)
{
    private OrderStore Store => new(Redis, Options.Create(new OrderOptions { IdempotencyRetention = TimeSpan.FromHours(1) }));

    [Fact]
    public async Task Claim_SameKeyTwice_SecondGetsTheFirstEvent()
    {
        var first = await Store.ClaimAsync(Placed("k", "ord_1"), fencingToken: 1, CancellationToken.None);
        var second = await Store.ClaimAsync(Placed("k", "ord_2"), fencingToken: 2, CancellationToken.None);

        Assert.Equal("ord_1", first!.OrderId);
        Assert.Equal("ord_1", second!.OrderId);
    }

    [Fact]
    public async Task Claim_StaleFencingToken_RefusedAndNothingWritten()
    {
        await Store.ClaimAsync(Placed("other", "ord_0"), fencingToken: 7, CancellationToken.None);
        var current = await Store.ClaimAsync(Placed("k", "ord_new"), fencingToken: 5, CancellationToken.None);

        var stale = await Store.ClaimAsync(Placed("k", "ord_late"), fencingToken: 4, CancellationToken.None);

        Assert.Equal("ord_new", current!.OrderId);
        Assert.Null(stale);
        Assert.Equal("ord_new", (await Store.ClaimAsync(Placed("k", "ord_x"), fencingToken: 5, CancellationToken.None))!.OrderId);
    }

    [Fact]
    public async Task Claim_Always_ClaimAndFenceExpireWithTheRetention()
    {
        await Store.ClaimAsync(Placed("k", "ord_1"), fencingToken: 3, CancellationToken.None);

        var db = Redis.GetDatabase();
        var claimTtl = await db.KeyTimeToLiveAsync("orders:{usr_1}:idempotency:k");
        var fenceTtl = await db.KeyTimeToLiveAsync("orders:{usr_1}:idempotency:k:fence");

        Assert.InRange(claimTtl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.InRange(fenceTtl!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    private static OrderPlaced Placed(string key, string orderId) => new()
    {
        EventId = $"evt_{orderId}",
        OrderId = orderId,
        UserId = "usr_1",
        IdempotencyKey = key,
        TotalCents = 100,
    };
}
