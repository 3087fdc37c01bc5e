using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.Internal.V1;
using Mesh.Messaging;
using Mesh.Testing;
using Mesh.Replay;
using Mesh.Users.Spending;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Mesh.IntegrationTests;

public sealed class SpendingViewsTests(RedisServerFixture redis, KafkaBrokerFixture kafka)
    : RedisTestBase(redis), IClassFixture<KafkaBrokerFixture>
{
    private static readonly EventMetadata Metadata = new(Topics.CreditReserved, 0, 0, "", DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task Project_DuplicatesOfOneReservation_CountedOnceInSpendAndLeaderboard()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        var projection = services.GetRequiredService<SpendingProjection>();
        var first = Reserved("usr_a", 1_000);
        var second = Reserved("usr_a", 250);
        var other = Reserved("usr_b", 900);

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => projection.HandleAsync(first, Metadata, CancellationToken.None)));
        await projection.HandleAsync(second, Metadata, CancellationToken.None);
        await projection.HandleAsync(other, Metadata, CancellationToken.None);
        await projection.HandleAsync(second, Metadata, CancellationToken.None);

        var views = services.GetRequiredService<SpendingViews>();
        Assert.Equal(1_250, await views.SpentAsync("usr_a"));
        Assert.Equal(900, await views.SpentAsync("usr_b"));
        var (top, hasMore) = await views.TopAsync(0, 10);
        Assert.Equal([("usr_a", 1_250L), ("usr_b", 900L)], top);
        Assert.False(hasMore);
    }

    [Fact]
    public async Task Top_PagedByOffset_HighestFirstAndHasMoreUntilTheEnd()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        var views = services.GetRequiredService<SpendingViews>();
        for (var i = 1; i <= 5; i++)
        {
            await views.ApplyAsync(SpendingChange.Of(Reserved($"usr_{i}", i * 100)));
        }

        var (first, moreAfterFirst) = await views.TopAsync(0, 2);
        var (last, moreAfterLast) = await views.TopAsync(4, 2);

        Assert.Equal(["usr_5", "usr_4"], first.Select(s => s.UserId));
        Assert.True(moreAfterFirst);
        Assert.Equal([("usr_1", 100L)], last);
        Assert.False(moreAfterLast);
    }

    [Fact]
    public async Task Rebuild_WhileEventsKeepArriving_RebuiltViewsEqualTheLogAndGenerationMoves()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        var publisher = services.GetRequiredService<IEventPublisher>();
        var projection = services.GetRequiredService<SpendingProjection>();
        var views = services.GetRequiredService<SpendingViews>();
        async Task PublishAndProjectAsync(CreditReserved reserved)
        {
            await publisher.PublishAsync(reserved, CancellationToken.None);
            await projection.HandleAsync(reserved, Metadata, CancellationToken.None);
        }

        for (var i = 0; i < 60; i++)
        {
            await PublishAndProjectAsync(Reserved($"usr_{i % 7}", 100 + i));
        }

        // A live view that drifted (e.g. written by a bug): the rebuild must not keep it.
        await Redis.GetDatabase().HashSetAsync(SpendingViews.Live[0], "usr_ghost", 12_345);
        await Redis.GetDatabase().SortedSetAddAsync(SpendingViews.Live[1], "usr_ghost", 12_345);
        var before = await views.GenerationAsync();

        using var stop = new CancellationTokenSource();
        var sent = 0;
        var traffic = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await PublishAndProjectAsync(Reserved($"usr_{i % 11}", 10 + i));
                Interlocked.Increment(ref sent);
            }
        });
        await WaitUntilAsync(() => Volatile.Read(ref sent) >= 20);
        var reports = new List<RebuildProgress>();
        await services.GetRequiredService<ViewRebuilder>().RebuildAsync(
            allowTruncatedLog: false, p => { reports.Add(p.Clone()); return Task.CompletedTask; }, CancellationToken.None);
        var sentAtSwitch = Volatile.Read(ref sent);
        await WaitUntilAsync(() => Volatile.Read(ref sent) >= sentAtSwitch + 20);
        await stop.CancelAsync();
        await traffic;

        var after = await views.GenerationAsync();
        Assert.Equal(before.Generation + 1, after.Generation);
        Assert.Equal(reports[^1].RebuildId, after.RebuildId);
        Assert.Equal(RebuildPhase.Switched, reports[^1].Phase);
        Assert.True(reports[^1].RecordsRead >= 60, $"read {reports[^1].RecordsRead}");
        Assert.False(await Redis.GetDatabase().KeyExistsAsync(SpendingViews.RebuildMarkerKey));
        Assert.Equal(await ExpectedFromTheLogAsync(services), await LiveSpendAsync());
        Assert.Null(await Redis.GetDatabase().SortedSetScoreAsync(SpendingViews.Live[1], "usr_ghost"));
        var top = await Redis.GetDatabase().SortedSetRangeByRankWithScoresAsync(SpendingViews.Live[1]);
        Assert.Equal(await LiveSpendAsync(), top.ToDictionary(e => (string)e.Element!, e => (long)e.Score));
    }

    [Fact]
    public async Task Rebuild_WhileAnotherRuns_RefusedAndTheOtherKeepsItsMarker()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        await Redis.GetDatabase().StringSetAsync(SpendingViews.RebuildMarkerKey, "rb_other", TimeSpan.FromMinutes(1));

        var refused = await Assert.ThrowsAsync<RebuildRefusedException>(() => services.GetRequiredService<ViewRebuilder>()
            .RebuildAsync(false, _ => Task.CompletedTask, CancellationToken.None));

        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, refused.Code);
        Assert.Equal("rb_other", (string?)await Redis.GetDatabase().StringGetAsync(SpendingViews.RebuildMarkerKey));
    }

    private static Task WaitUntilAsync(Func<bool> condition) =>
        Poll.UntilAsync(condition, TimeSpan.FromSeconds(60), "The traffic did not progress.", TimeSpan.FromMilliseconds(10));

    private async Task<Dictionary<string, long>> LiveSpendAsync() =>
        (await Redis.GetDatabase().HashGetAllAsync(SpendingViews.Live[0])).ToDictionary(e => (string)e.Name!, e => (long)e.Value);

    /// <summary>Spend per user over every CreditReserved in the topic, each order once.</summary>
    private static async Task<Dictionary<string, long>> ExpectedFromTheLogAsync(IServiceProvider services)
    {
        var reader = services.GetRequiredService<LogReader>();
        var orders = new Dictionary<string, CreditReserved>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await reader.ReadAsync(reader.CaptureRanges([Topics.CreditReserved]), record =>
        {
            var reserved = CreditReserved.Parser.ParseFrom(record.Message.Value);
            orders.TryAdd(reserved.OrderId, reserved);
            return Task.CompletedTask;
        }, timeout.Token);
        return orders.Values.GroupBy(r => r.UserId).ToDictionary(g => g.Key, g => g.Sum(r => r.AmountCents));
    }

    private static CreditReserved Reserved(string userId, long cents) => new()
    {
        EventId = $"evt_{Guid.NewGuid():N}",
        OrderId = $"ord_{Guid.NewGuid():N}",
        UserId = userId,
        AmountCents = cents,
        CausationId = $"evt_{Guid.NewGuid():N}",
    };
}
