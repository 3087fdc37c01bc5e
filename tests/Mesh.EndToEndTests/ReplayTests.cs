using Confluent.Kafka;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.Internal.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Identity;
using Mesh.Testing;
using StackExchange.Redis;

namespace Mesh.EndToEndTests;

/// <summary>
/// The users views rebuilt from the log by the running service (the Replay API that
/// <c>./mesh.sh replay users</c> calls), while orders keep flowing through the gateway.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class ReplayTests(MeshFixture mesh)
{
    private const string LiveSpend = "users:{views}:live:spend";
    private const string LiveTop = "users:{views}:live:top";
    private const string Generation = "users:{views}:generation";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task Rebuild_WhileOrdersFlow_SwitchesToViewsEqualToTheLog()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(mesh.RedisConnection);
        var db = redis.GetDatabase();
        var buyers = new List<TestUser>();
        for (var i = 0; i < 3; i++)
        {
            buyers.Add(await TestUser.CreateAsync(mesh.Gateway));
        }

        for (var i = 0; i < 6; i++)
        {
            await buyers[i % 3].PlaceOrderAsync($"before-{i}", TestUser.Line(TestCatalog.Cent, quantity: 100 + i));
        }

        var generationBefore = (long?)await db.HashGetAsync(Generation, "generation") ?? 0;
        using var stop = new CancellationTokenSource();
        var placedDuring = 0;
        var traffic = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested && i < 60; i++)
            {
                await buyers[i % 3].PlaceOrderAsync($"during-{i}", TestUser.Line(TestCatalog.Cent, quantity: 1_000 + i));
                Interlocked.Increment(ref placedDuring);
                await Task.Delay(150); // Inside each buyer's quota.
            }
        });

        var progress = await RebuildAsync();
        var placedAtSwitch = Volatile.Read(ref placedDuring);
        // Some traffic after the switch, if it comes; the assertions below do not depend on it.
        await Poll.ReadAsync(
            () => Task.FromResult(Volatile.Read(ref placedDuring)), placed => placed >= placedAtSwitch + 3 || traffic.IsCompleted, Settle, Interval);
        await stop.CancelAsync();
        await traffic;

        var last = progress[^1];
        Assert.Equal(RebuildPhase.Switched, last.Phase);
        Assert.Equal(RebuildPhase.Started, progress[0].Phase);
        Assert.Equal(generationBefore + 1, last.Generation);
        Assert.Equal(last.RebuildId, (string?)await db.HashGetAsync(Generation, "rebuild_id"));
        Assert.Equal(0, last.RecordsLost);
        Assert.False(await db.KeyExistsAsync("users:{views}:rebuild"));

        // Every reservation in the log, and no other, counted once: by then the live consumer has caught up.
        var (expected, live) = (new Dictionary<string, long>(), new Dictionary<string, long>());
        await Poll.UntilAsync(
            async () =>
            {
                (expected, live) = (SpendFromTheLog(), await LiveSpendAsync(db));
                return Equal(expected, live);
            },
            Settle,
            () => $"live spend {Show(live)} never equalled the log's {Show(expected)}.\n{mesh.Logs("users")}",
            Interval);
        var top = (await db.SortedSetRangeByRankWithScoresAsync(LiveTop)).ToDictionary(e => (string)e.Element!, e => (long)e.Score);
        Assert.True(Equal(expected, top), $"leaderboard {Show(top)} differs from the log's {Show(expected)}");
        Assert.All(buyers, b => Assert.True(expected[b.UserId] > 0));
    }

    [Fact]
    public async Task Rebuild_WhileAnotherRebuildHoldsTheMarker_FailedPrecondition()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(mesh.RedisConnection);
        var db = redis.GetDatabase();
        Assert.True(await db.StringSetAsync("users:{views}:rebuild", "rb_someone_else", TimeSpan.FromSeconds(30), When.NotExists));
        try
        {
            var exception = await Assert.ThrowsAsync<RpcException>(RebuildAsync);

            Assert.Equal(StatusCode.FailedPrecondition, exception.StatusCode);
            Assert.Equal("rb_someone_else", (string?)await db.StringGetAsync("users:{views}:rebuild"));
        }
        finally
        {
            await db.KeyDeleteAsync("users:{views}:rebuild");
        }
    }

    private async Task<List<RebuildProgress>> RebuildAsync()
    {
        using var channel = mesh.Pki.Channel(mesh.UsersAddress, Workloads.Operator);
        var client = new Replay.ReplayClient(channel);
        using var call = client.Rebuild(new RebuildRequest(), deadline: DateTime.UtcNow.AddMinutes(2));
        var progress = new List<RebuildProgress>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            progress.Add(message);
        }

        return progress;
    }

    private static async Task<Dictionary<string, long>> LiveSpendAsync(IDatabase db) =>
        (await db.HashGetAllAsync(LiveSpend)).ToDictionary(e => (string)e.Name!, e => (long)e.Value);

    /// <summary>Spend per user over the credit topics: each order's reservation once, minus its release.</summary>
    private Dictionary<string, long> SpendFromTheLog()
    {
        var log = new KafkaLog(mesh.KafkaBootstrap);
        var reserved = log.ReadAll(Topics.CreditReserved).Select(r => CreditReserved.Parser.ParseFrom(r.Message.Value))
            .DistinctBy(r => r.OrderId)
            .Select(r => (r.UserId, r.AmountCents));
        var released = log.ReadAll(Topics.CreditReleased).Select(r => CreditReleased.Parser.ParseFrom(r.Message.Value))
            .DistinctBy(r => r.OrderId)
            .Select(r => (r.UserId, -r.AmountCents));
        return reserved.Concat(released).GroupBy(c => c.UserId).ToDictionary(g => g.Key, g => g.Sum(c => c.Item2));
    }

    private static bool Equal(Dictionary<string, long> expected, Dictionary<string, long> actual) =>
        expected.Count == actual.Count && expected.All(e => actual.TryGetValue(e.Key, out var v) && v == e.Value);

    private static string Show(Dictionary<string, long> spend) =>
        string.Join(", ", spend.OrderBy(e => e.Key).Select(e => $"{e.Key}={e.Value}"));
}
