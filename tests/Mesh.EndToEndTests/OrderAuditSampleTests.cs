using System.Text.Json;
using Mesh.Contracts.Sidecar.V1;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using StackExchange.Redis;

namespace Mesh.EndToEndTests;

/// <summary>
/// samples/order-audit, a TypeScript service outside the solution, against the running mesh: it
/// consumes OrderConfirmed with kafkajs, decodes it with protobufjs from protos/, locks each order
/// through Dapr's JavaScript SDK on its sidecar and asks that sidecar for a rate-limit decision.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class OrderAuditSampleTests(MeshFixture mesh)
{
    private const int RateLimitCapacity = 3;
    private const int OrderCount = 5;

    [Fact]
    public async Task OrderAudit_ConfirmedOrders_RecordsEachOnceUnderLockAndIsRefusedOverItsLimit()
    {
        await using var sample = await OrderAuditSample.StartAsync(mesh, RateLimitCapacity);
        var user = await TestUser.CreateAsync(mesh.Gateway);

        var orders = new List<string>();
        for (var i = 0; i < OrderCount; i++)
        {
            orders.Add((await user.PlaceOrderAsync($"audit-{i}", TestUser.Line())).OrderId);
        }

        foreach (var order in orders)
        {
            var settled = await Eventually.ReadAsync(
                () => user.Orders.GetOrderAsync(new GetOrderRequest { OrderId = order }, user.Call()).ResponseAsync,
                o => o.Status != OrderStatus.Pending,
                TimeSpan.FromSeconds(30));
            Assert.Equal(OrderStatus.Confirmed, settled.Status);
        }

        var entries = await Eventually.ReadAsync(
            () => Task.FromResult(sample.Entries()),
            e => orders.All(o => e.Any(entry => OrderId(entry) == o)),
            TimeSpan.FromSeconds(30));
        // Time for a duplicate to show up, had the sample recorded any order twice.
        await Task.Delay(TimeSpan.FromSeconds(2));
        entries = sample.Entries();

        var logs = sample.Logs;
        Assert.All(orders, o => Assert.True(entries.Count(e => OrderId(e) == o) == 1, $"order {o} recorded {entries.Count(e => OrderId(e) == o)} times.\n{logs}"));
        Assert.Equal(entries.Count, entries.Select(e => e.GetProperty("eventId").GetString()).Distinct().Count());
        Assert.All(entries.Where(e => orders.Contains(OrderId(e))), e => Assert.Equal(user.UserId, e.GetProperty("userId").GetString()));
        Assert.All(entries, e => Assert.True(e.GetProperty("lock").GetProperty("granted").GetBoolean()));

        // The sidecar's bucket: the first decisions allowed, every one after the capacity refused.
        var outcomes = entries.Select(e => e.GetProperty("rateLimit").GetProperty("outcome").GetString()).ToList();
        Assert.Equal(Enumerable.Repeat("ALLOWED", RateLimitCapacity), outcomes.Take(RateLimitCapacity));
        Assert.Equal(Enumerable.Repeat("REJECTED", outcomes.Count - RateLimitCapacity), outcomes.Skip(RateLimitCapacity));
        Assert.Contains(entries, e => orders.Contains(OrderId(e)) && !e.GetProperty("rateLimit").GetProperty("allowed").GetBoolean());

        // The locks were the sidecar's, in the app's own lock space: each order's fence (the last
        // fencing token, kept after the release) is there; and they were released: each grants again.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(mesh.RedisConnection);
        foreach (var order in orders)
        {
            var resource = $"order-{order}";
            Assert.True(await redis.GetDatabase().KeyExistsAsync($"locks:{{sidecar/{OrderAuditSample.AppId}/{resource}}}:fence"), $"No lock was ever granted on {resource}.\n{logs}");
            var again = await sample.Locks.TryLockAsync(
                new TryLockRequest { ResourceId = resource, LockOwner = "e2e-test", ExpiryInSeconds = 5 },
                deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.True(again.Success, $"{resource} is still locked.\n{logs}");
        }
    }

    private static string OrderId(JsonElement entry) => entry.GetProperty("orderId").GetString() ?? "";
}
