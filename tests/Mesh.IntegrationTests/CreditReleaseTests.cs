using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging;
using Mesh.Testing;
using Mesh.Users.Accounts;
using Mesh.Users.Credit;
using Mesh.Replay;
using Mesh.Users.Spending;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.IntegrationTests;

/// <summary>The compensating step: credit reserved for an order that was cancelled or timed out comes back, once.</summary>
public sealed class CreditReleaseTests(RedisServerFixture redis, KafkaBrokerFixture kafka)
    : RedisTestBase(redis), IClassFixture<KafkaBrokerFixture>
{
    private const long OrderCents = 1_000;
    private static readonly EventMetadata Metadata = new(Topics.OrderCancelled, 0, 0, "", DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task Cancelled_ReservedOrderTwice_ReleasedOnceWithTheSameEvent()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        var user = await RegisterAsync(services);
        var placed = Placed(user);
        await services.GetRequiredService<CreditReservationHandler>().HandleAsync(placed, Metadata, CancellationToken.None);
        var cancelled = Cancelled(placed);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            services.GetRequiredService<CreditReleaseHandler>().HandleAsync(cancelled, Metadata, CancellationToken.None))));

        var store = services.GetRequiredService<CreditStore>();
        Assert.Equal(0, await store.ReservedAsync(user));
        var released = await ReleasedForAsync(services, user);
        Assert.Equal(4, released.Count);
        Assert.Single(released.Select(r => r.EventId).Distinct());
        Assert.Equal((OrderCents, 0L, "order_cancelled", cancelled.EventId),
            (released[0].AmountCents, released[0].ReservedTotalCents, released[0].Reason, released[0].CausationId));
    }

    [Fact]
    public async Task Cancelled_BeforeItsOrderPlaced_TheOrderIsRejectedAndNothingIsEverReserved()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        var user = await RegisterAsync(services);
        var placed = Placed(user);

        await services.GetRequiredService<CreditReleaseHandler>().HandleAsync(TimedOut(placed), Metadata, CancellationToken.None);
        var decision = await services.GetRequiredService<CreditReservationHandler>().DecideAsync(placed, CancellationToken.None);

        var rejected = Assert.IsType<CreditRejected>(decision);
        Assert.Contains("order_timed_out", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(0, await services.GetRequiredService<CreditStore>().ReservedAsync(user));
        Assert.Empty(await ReleasedForAsync(services, user));
    }

    [Fact]
    public async Task Rejected_ByCreditRefusal_ReleasesNothing()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        var user = await RegisterAsync(services, limitCents: OrderCents / 2);
        var placed = Placed(user);
        await services.GetRequiredService<CreditReservationHandler>().HandleAsync(placed, Metadata, CancellationToken.None);

        await services.GetRequiredService<CreditReleaseHandler>().HandleAsync(
            new OrderRejected { EventId = "evt_r", UserId = user, OrderId = placed.OrderId, ReasonCode = "credit_rejected" },
            Metadata, CancellationToken.None);

        Assert.Empty(await ReleasedForAsync(services, user));
        Assert.IsType<CreditRejected>((await services.GetRequiredService<CreditStore>().FindAsync(user, placed.OrderId)).Decision);
    }

    [Fact]
    public async Task TimedOut_AfterReservation_ReleasedAndSpendGoesBack()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        var user = await RegisterAsync(services);
        var placed = Placed(user);
        var reservation = (CreditReserved)await services.GetRequiredService<CreditReservationHandler>().DecideAsync(placed, CancellationToken.None);
        var projection = services.GetRequiredService<SpendingProjection>();
        await projection.HandleAsync(reservation, Metadata, CancellationToken.None);

        await services.GetRequiredService<CreditReleaseHandler>().HandleAsync(TimedOut(placed), Metadata, CancellationToken.None);
        var release = Assert.Single(await ReleasedForAsync(services, user));
        await projection.HandleAsync(release, Metadata, CancellationToken.None);
        await projection.HandleAsync(release, Metadata, CancellationToken.None);

        Assert.Equal("order_timed_out", release.Reason);
        Assert.Equal(0, await services.GetRequiredService<SpendingViews>().SpentAsync(user));
        Assert.Equal(0, await services.GetRequiredService<CreditStore>().ReservedAsync(user));
    }

    [Fact]
    public async Task OrderPlaced_OlderThanTheRedeliveryHorizon_SkippedNotDecided()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers, new Dictionary<string, string?>
        {
            ["Users:DefaultCreditLimitCents"] = "100000",
            ["Events:RedeliveryHorizon"] = "00:01:00",
            ["Events:ClockSkewAllowance"] = "00:00:00",
            ["Events:DecisionRetention"] = "00:01:00",
        });
        var user = await RegisterAsync(services);
        var placed = Placed(user);
        placed.OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-2));

        await services.GetRequiredService<CreditReservationHandler>().HandleAsync(placed, Metadata, CancellationToken.None);

        Assert.Equal(OrderCredit.None, await services.GetRequiredService<CreditStore>().FindAsync(user, placed.OrderId));
        Assert.Equal(0, await services.GetRequiredService<CreditStore>().ReservedAsync(user));
    }

    [Fact]
    public async Task OrderPlaced_RedeliveredAfterItsDecisionExpired_SkippedNotReservedTwice()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers, new Dictionary<string, string?>
        {
            ["Users:DefaultCreditLimitCents"] = "100000",
            ["Events:RedeliveryHorizon"] = "00:00:03",
            ["Events:ClockSkewAllowance"] = "00:00:00",
            ["Events:DecisionRetention"] = "00:00:03",
        });
        var user = await RegisterAsync(services);
        var handler = services.GetRequiredService<CreditReservationHandler>();
        var store = services.GetRequiredService<CreditStore>();
        // The first delivery must be judged within the horizon of the event's time: 3 s for a cold handler.
        var placed = Placed(user);
        await handler.HandleAsync(placed, Metadata, CancellationToken.None);
        Assert.Equal(OrderCents, await store.ReservedAsync(user));

        // Past the retention of the decision and the horizon of the event.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.Equal(OrderCredit.None, await store.FindAsync(user, placed.OrderId));
        await handler.HandleAsync(placed, Metadata, CancellationToken.None);

        Assert.Equal(OrderCents, await store.ReservedAsync(user));
        Assert.Equal(OrderCredit.None, await store.FindAsync(user, placed.OrderId));
    }

    [Fact]
    public async Task Decide_Always_TheRecordExpiresAfterTheDecisionRetention()
    {
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        var user = await RegisterAsync(services);
        var placed = Placed(user);

        await services.GetRequiredService<CreditReservationHandler>().DecideAsync(placed, CancellationToken.None);

        var ttl = await Redis.GetDatabase().KeyTimeToLiveAsync($"users:{{{user}}}:credit:order:{placed.OrderId}");
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(9) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(9));
    }

    private static async Task<string> RegisterAsync(IServiceProvider services, long limitCents = 10 * OrderCents)
    {
        var store = services.GetRequiredService<UserAccountStore>();
        var id = $"usr_{Guid.NewGuid():N}";
        var account = new UserAccount(id, $"{id}@example.test", "Release Test", "hash", limitCents);
        Assert.True(await store.TryCreateAsync(account));
        await store.IndexAsync(account);
        return id;
    }

    private static OrderPlaced Placed(string userId) => new()
    {
        EventId = $"evt_{Guid.NewGuid():N}",
        OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        OrderId = $"ord_{Guid.NewGuid():N}",
        UserId = userId,
        IdempotencyKey = Guid.NewGuid().ToString("N"),
        TotalCents = OrderCents,
    };

    private static OrderCancelled Cancelled(OrderPlaced placed) => new()
    {
        EventId = $"evt_{Guid.NewGuid():N}",
        OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        OrderId = placed.OrderId,
        UserId = placed.UserId,
        TotalCents = placed.TotalCents,
    };

    private static OrderRejected TimedOut(OrderPlaced placed) => new()
    {
        EventId = $"evt_{Guid.NewGuid():N}",
        OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        OrderId = placed.OrderId,
        UserId = placed.UserId,
        TotalCents = placed.TotalCents,
        Reason = "no credit decision within 00:05:00",
        ReasonCode = "timed_out",
    };

    private static async Task<List<CreditReleased>> ReleasedForAsync(IServiceProvider services, string userId)
    {
        var reader = services.GetRequiredService<LogReader>();
        var released = new List<CreditReleased>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await reader.ReadAsync(reader.CaptureRanges([Topics.CreditReleased]), record =>
        {
            var parsed = CreditReleased.Parser.ParseFrom(record.Message.Value);
            if (parsed.UserId == userId)
            {
                released.Add(parsed);
            }

            return Task.CompletedTask;
        }, timeout.Token);
        return released;
    }
}
