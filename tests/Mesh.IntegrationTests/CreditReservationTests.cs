using Google.Protobuf;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging;
using Mesh.Testing;
using Mesh.Users.Accounts;
using Mesh.Users.Credit;
using Mesh.Replay;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.IntegrationTests;

public sealed class CreditReservationTests(RedisServerFixture redis, KafkaBrokerFixture kafka)
    : RedisTestBase(redis), IClassFixture<KafkaBrokerFixture>
{
    private const long OrderCents = 1_000;

    [Fact]
    public async Task Handle_TenConcurrentOrdersWithCreditForThree_ExactlyThreeReserved()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        var user = await RegisterAsync(services, limitCents: 3 * OrderCents);
        var orders = Enumerable.Range(0, 10).Select(_ => Placed(user, OrderCents)).ToList();

        await Task.WhenAll(orders.Select(o => Task.Run(() => Handler(services).HandleAsync(o, Metadata, CancellationToken.None))));

        var (reserved, rejected) = await PublishedForAsync(services, user);
        Assert.Equal(3, reserved.Count);
        Assert.Equal(7, rejected.Count);
        Assert.Equal(orders.Select(o => o.OrderId).Order(), reserved.Select(r => r.OrderId).Concat(rejected.Select(r => r.OrderId)).Order());
        Assert.Equal([1_000, 2_000, 3_000], reserved.Select(r => r.ReservedTotalCents).Order());
        Assert.All(rejected, r => Assert.Equal("insufficient credit: 0 cents available, 1000 needed", r.Reason));
        Assert.Equal(3 * OrderCents, await services.GetRequiredService<CreditStore>().ReservedAsync(user));
    }

    [Fact]
    public async Task Handle_Redelivered_RepublishesTheIdenticalEventAndReservesOnce()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        var user = await RegisterAsync(services, limitCents: 5 * OrderCents);
        var placed = Placed(user, OrderCents);

        await Handler(services).HandleAsync(placed, Metadata, CancellationToken.None);
        await Handler(services).HandleAsync(placed, Metadata, CancellationToken.None);

        var (reserved, rejected) = await PublishedForAsync(services, user);
        Assert.Empty(rejected);
        Assert.Equal(2, reserved.Count);
        Assert.Equal(reserved[0].ToByteArray(), reserved[1].ToByteArray());
        Assert.Equal(placed.EventId, reserved[0].CausationId);
        Assert.Equal(OrderCents, await services.GetRequiredService<CreditStore>().ReservedAsync(user));
    }

    [Fact]
    public async Task Handle_UnknownUser_RejectedAndRecorded()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        var user = $"usr_unknown_{Guid.NewGuid():N}";

        await Handler(services).HandleAsync(Placed(user, OrderCents), Metadata, CancellationToken.None);

        var (reserved, rejected) = await PublishedForAsync(services, user);
        Assert.Empty(reserved);
        var rejection = Assert.Single(rejected);
        Assert.Equal($"unknown user '{user}'", rejection.Reason);
        Assert.Equal(0, await services.GetRequiredService<CreditStore>().ReservedAsync(user));
    }

    [Fact]
    public async Task Handle_AccountWithoutStoredLimit_GetsTheConfiguredDefault()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers, defaultLimitCents: 1_500);
        var user = await RegisterAsync(services, limitCents: null);

        await Handler(services).HandleAsync(Placed(user, OrderCents), Metadata, CancellationToken.None);
        await Handler(services).HandleAsync(Placed(user, OrderCents), Metadata, CancellationToken.None);

        var (reserved, rejected) = await PublishedForAsync(services, user);
        Assert.Equal(1_500, Assert.Single(reserved).CreditLimitCents);
        Assert.Equal("insufficient credit: 500 cents available, 1000 needed", Assert.Single(rejected).Reason);
    }

    [Fact]
    public async Task Record_DecisionFromAStaleTotal_RefusedAfterAnotherDecisionOfTheUser()
    {
        // A decider that read the total (0) and paused while another order of the user reserved 700:
        // its write must not land on the total it never saw.
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        var store = services.GetRequiredService<CreditStore>();
        var user = $"usr_{Guid.NewGuid():N}";
        var first = Placed(user, 700);
        var paused = Placed(user, 200);

        var written = await store.DecideAsync(user, first.OrderId, 0, 700, Decision(first, 700), endedAs: null);
        var refused = await store.DecideAsync(user, paused.OrderId, 0, 200, Decision(paused, 200), endedAs: null);

        Assert.Equal(CreditRecordOutcome.Recorded, written.Outcome);
        Assert.Equal(CreditRecordOutcome.Moved, refused.Outcome);
        Assert.Equal(OrderCredit.None, await store.FindAsync(user, paused.OrderId));
        Assert.Equal(700, await store.ReservedAsync(user));
    }

    [Fact]
    public async Task Record_OrderEndedSinceTheRead_RefusedAndNothingReserved()
    {
        // The order was cancelled between the decider's read (not ended) and its write: reserving
        // now would hold credit for an order that no release will ever give back.
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        var store = services.GetRequiredService<CreditStore>();
        var user = $"usr_{Guid.NewGuid():N}";
        var placed = Placed(user, 300);

        Assert.Equal(CreditRecordOutcome.Recorded, (await store.EndAsync(user, placed.OrderId, "cancelled", fencingToken: 1, CancellationToken.None)).Outcome);
        var refused = await store.DecideAsync(user, placed.OrderId, 0, 300, Decision(placed, 300), endedAs: null);

        Assert.Equal(CreditRecordOutcome.Moved, refused.Outcome);
        Assert.Null((await store.FindAsync(user, placed.OrderId)).Decision);
        Assert.Equal(0, await store.ReservedAsync(user));
    }

    private static readonly EventMetadata Metadata = new(Topics.OrderPlaced, 0, 0, "", DateTimeOffset.UnixEpoch);

    private static CreditReservationHandler Handler(IServiceProvider services) =>
        services.GetRequiredService<CreditReservationHandler>();

    private static async Task<string> RegisterAsync(IServiceProvider services, long? limitCents)
    {
        var store = services.GetRequiredService<UserAccountStore>();
        var id = $"usr_{Guid.NewGuid():N}";
        var account = new UserAccount(id, $"{id}@example.test", "Credit Test", "hash", limitCents);
        Assert.True(await store.TryCreateAsync(account));
        await store.IndexAsync(account);
        return id;
    }

    private static OrderPlaced Placed(string userId, long cents) => new()
    {
        EventId = $"evt_{Guid.NewGuid():N}",
        OrderId = $"ord_{Guid.NewGuid():N}",
        UserId = userId,
        IdempotencyKey = Guid.NewGuid().ToString("N"),
        TotalCents = cents,
    };

    private static IMessage Decision(OrderPlaced placed, long reservedAfter) =>
        CreditDecision.Decide(placed, limitCents: 10_000, reservedCents: reservedAfter - placed.TotalCents, endedAs: null, DateTimeOffset.UtcNow);

    /// <summary>Every credit event published for <paramref name="userId"/> so far, in log order per partition.</summary>
    private static async Task<(List<CreditReserved> Reserved, List<CreditRejected> Rejected)> PublishedForAsync(
        IServiceProvider services, string userId)
    {
        var reader = services.GetRequiredService<LogReader>();
        var reserved = new List<CreditReserved>();
        var rejected = new List<CreditRejected>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await reader.ReadAsync(reader.CaptureRanges([Topics.CreditReserved]), record =>
        {
            var parsed = CreditReserved.Parser.ParseFrom(record.Message.Value);
            if (parsed.UserId == userId)
            {
                reserved.Add(parsed);
            }

            return Task.CompletedTask;
        }, timeout.Token);
        await reader.ReadAsync(reader.CaptureRanges([Topics.CreditRejected]), record =>
        {
            var parsed = CreditRejected.Parser.ParseFrom(record.Message.Value);
            if (parsed.UserId == userId)
            {
                rejected.Add(parsed);
            }

            return Task.CompletedTask;
        }, timeout.Token);
        return (reserved, rejected);
    }
}
