using System.Text.Json;
using Mesh.Contracts.Sidecar.V1;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;

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

        // The locks were the sidecar's, in the app's own lock space, and were released: each order's
        // resource grants again, with a fencing token above a never-locked resource's.
        var fresh = await TryLockAsync(sample, $"order-never-audited-{Guid.NewGuid():N}");
        foreach (var order in orders)
        {
            var again = await TryLockAsync(sample, $"order-{order}");
            Assert.True(again.Success, $"order-{order} is still locked.\n{logs}");
            Assert.True(again.FencingToken > fresh.FencingToken, $"order-{order}: token {again.FencingToken}, a fresh resource's {fresh.FencingToken}.");
        }
    }

    private static string? OrderId(JsonElement entry) => entry.GetProperty("orderId").GetString();

    private static async Task<TryLockResponse> TryLockAsync(OrderAuditSample sample, string resource) =>
        await sample.Locks.TryLockAsync(
            new TryLockRequest { ResourceId = resource, LockOwner = "e2e-test", ExpiryInSeconds = 5 },
            deadline: DateTime.UtcNow.AddSeconds(10));
}
