using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Messaging;
using Mesh.Orders.Ordering;
using Mesh.ServiceDefaults.Errors;
using Mesh.Testing;
using Mesh.Replay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.IntegrationTests;

/// <summary>Every order ends: the sweeper times out what no credit decision settled, and cancellation.</summary>
public sealed class OrderSettlementTests(RedisServerFixture redis, KafkaBrokerFixture kafka)
    : RedisTestBase(redis), IClassFixture<KafkaBrokerFixture>
{
    private static readonly EventMetadata Metadata = new(Topics.CreditReserved, 0, 0, "", DateTimeOffset.UnixEpoch);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task Sweep_PendingPastItsDeadline_RejectedAsTimedOutOnceEvenWithTwoReplicas()
    {
        await using var services = OrdersServiceHost.Build(Redis, kafka.BootstrapServers, _clock);
        var placed = await PlaceAsync(services);
        _clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, await Sweeper(services).SweepAsync(CancellationToken.None));

        _clock.Advance(TimeSpan.FromMinutes(2));
        var swept = await Task.WhenAll(Sweeper(services).SweepAsync(CancellationToken.None), Sweeper(services).SweepAsync(CancellationToken.None));

        Assert.InRange(swept.Sum(), 1, 2); // The second may read it after the first claimed it.
        var order = (await services.GetRequiredService<OrderViews>().FindAsync(placed.UserId, placed.OrderId))!;
        Assert.Equal((OrderStatus.Rejected, "timed_out"), (order.Status, order.StatusReason));
        var rejected = Assert.Single(await PublishedAsync<OrderRejected>(services, Topics.OrderRejected, placed.OrderId));
        Assert.Equal(("timed_out", placed.TotalCents), (rejected.ReasonCode, rejected.TotalCents));
        Assert.Equal(0, await services.GetRequiredService<SettlementQueue>().CountAsync());
    }

    [Fact]
    public async Task CreditDecision_AfterTheTimeout_ChangesNothingAndRepublishesTheTimeout()
    {
        await using var services = OrdersServiceHost.Build(Redis, kafka.BootstrapServers, _clock);
        var placed = await PlaceAsync(services);
        _clock.Advance(TimeSpan.FromMinutes(6));
        await Sweeper(services).SweepAsync(CancellationToken.None);

        await services.GetRequiredService<CreditOutcomeHandler>().HandleAsync(
            new CreditReserved { EventId = "evt_late", UserId = placed.UserId, OrderId = placed.OrderId, AmountCents = placed.TotalCents },
            Metadata, CancellationToken.None);

        Assert.Empty(await PublishedAsync<OrderConfirmed>(services, Topics.OrderConfirmed, placed.OrderId));
        var rejected = await PublishedAsync<OrderRejected>(services, Topics.OrderRejected, placed.OrderId);
        Assert.Equal(2, rejected.Count);
        Assert.Single(rejected.Select(r => r.EventId).Distinct());
        Assert.Equal(OrderStatus.Rejected, (await services.GetRequiredService<OrderViews>().FindAsync(placed.UserId, placed.OrderId))!.Status);
    }

    [Fact]
    public async Task Sweep_SettledInTime_LeavesItAlone()
    {
        await using var services = OrdersServiceHost.Build(Redis, kafka.BootstrapServers, _clock);
        var placed = await PlaceAsync(services);
        await services.GetRequiredService<CreditOutcomeHandler>().HandleAsync(
            new CreditReserved { EventId = "evt_credit", UserId = placed.UserId, OrderId = placed.OrderId, AmountCents = placed.TotalCents },
            Metadata, CancellationToken.None);

        _clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(0, await Sweeper(services).SweepAsync(CancellationToken.None));
        Assert.Equal(OrderStatus.Confirmed, (await services.GetRequiredService<OrderViews>().FindAsync(placed.UserId, placed.OrderId))!.Status);
        Assert.Empty(await PublishedAsync<OrderRejected>(services, Topics.OrderRejected, placed.OrderId));
    }

    [Fact]
    public async Task Cancel_PendingThenAgain_OneOrderCancelledAndTheSameAnswer()
    {
        await using var services = OrdersServiceHost.Build(Redis, kafka.BootstrapServers, _clock);
        var placed = await PlaceAsync(services);
        var cancellation = services.GetRequiredService<OrderCancellation>();

        var first = await cancellation.CancelAsync(placed.UserId, placed.OrderId, CancellationToken.None);
        var again = await cancellation.CancelAsync(placed.UserId, placed.OrderId, CancellationToken.None);

        Assert.Equal(OrderStatus.Cancelled, first.Status);
        Assert.Equal(first, again);
        var cancelled = Assert.Single(await PublishedAsync<OrderCancelled>(services, Topics.OrderCancelled, placed.OrderId));
        Assert.False(cancelled.WasConfirmed);
        Assert.Equal(0, await services.GetRequiredService<SettlementQueue>().CountAsync());
    }

    [Fact]
    public async Task Cancel_RejectedOrOthersOrder_FailedPreconditionOrNotFound()
    {
        await using var services = OrdersServiceHost.Build(Redis, kafka.BootstrapServers, _clock);
        var placed = await PlaceAsync(services);
        await services.GetRequiredService<CreditOutcomeHandler>().HandleAsync(
            new CreditRejected { EventId = "evt_no", UserId = placed.UserId, OrderId = placed.OrderId, Reason = "insufficient credit" },
            Metadata, CancellationToken.None);
        var cancellation = services.GetRequiredService<OrderCancellation>();

        var rejected = await Assert.ThrowsAsync<OrderNotCancellableException>(
            () => cancellation.CancelAsync(placed.UserId, placed.OrderId, CancellationToken.None));
        var foreign = await Assert.ThrowsAsync<ResourceException>(
            () => cancellation.CancelAsync("usr_someone_else", placed.OrderId, CancellationToken.None));

        Assert.Equal(StatusCode.FailedPrecondition, rejected.Code);
        Assert.Equal(StatusCode.NotFound, foreign.Code);
        Assert.Empty(await PublishedAsync<OrderCancelled>(services, Topics.OrderCancelled, placed.OrderId));
    }

    [Fact]
    public async Task Sweep_CancellationRecordedButNeverPublished_PublishedWhenItFallsDue()
    {
        await using var services = OrdersServiceHost.Build(Redis, kafka.BootstrapServers, _clock);
        var placed = await PlaceAsync(services);
        var order = (await services.GetRequiredService<OrderViews>().FindAsync(placed.UserId, placed.OrderId))!;
        // What CancelOrder leaves when its process dies between recording and publishing.
        await services.GetRequiredService<SettlementQueue>().AddAsync(
            SettlementTask.Cancellation(placed.UserId, placed.OrderId), _clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        await services.GetRequiredService<OrderDecisions>().CancelAsync(
            OrderMapper.ToCancelled(order, false, _clock.GetUtcNow()), OrderMapper.ToCancelled(order, true, _clock.GetUtcNow()), CancellationToken.None);

        _clock.Advance(TimeSpan.FromMinutes(2));
        await Sweeper(services).SweepAsync(CancellationToken.None);

        Assert.Single(await PublishedAsync<OrderCancelled>(services, Topics.OrderCancelled, placed.OrderId));
        Assert.Equal(OrderStatus.Cancelled, (await services.GetRequiredService<OrderViews>().FindAsync(placed.UserId, placed.OrderId))!.Status);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await Sweeper(services).SweepAsync(CancellationToken.None);
        Assert.Empty(await PublishedAsync<OrderRejected>(services, Topics.OrderRejected, placed.OrderId));
        Assert.Equal(0, await services.GetRequiredService<SettlementQueue>().CountAsync());
    }

    private static OrderSweeper Sweeper(IServiceProvider services) => services.GetRequiredService<OrderSweeper>();

    /// <summary>What PlaceOrder leaves once it answered: the event published, the deadline queued, the view.</summary>
    private async Task<OrderPlaced> PlaceAsync(IServiceProvider services)
    {
        var placed = new OrderPlaced
        {
            EventId = $"evt_{Guid.NewGuid():N}",
            OccurredAt = Timestamp.FromDateTimeOffset(_clock.GetUtcNow()),
            OrderId = $"ord_{Guid.NewGuid():N}",
            UserId = $"usr_{Guid.NewGuid():N}",
            IdempotencyKey = "k",
            TotalCents = 1_250,
        };
        await services.GetRequiredService<IEventPublisher>().PublishAsync(placed, CancellationToken.None);
        await services.GetRequiredService<SettlementQueue>().AddAsync(
            SettlementTask.Deadline(placed.UserId, placed.OrderId), _clock.GetUtcNow() + TimeSpan.FromMinutes(5));
        await services.GetRequiredService<OrderViews>().ProjectAsync(placed);
        return placed;
    }

    private async Task<List<TEvent>> PublishedAsync<TEvent>(IServiceProvider services, string topic, string orderId)
        where TEvent : Google.Protobuf.IMessage<TEvent>, new()
    {
        var reader = new LogReader(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KafkaOptions>>());
        var found = new List<TEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await reader.ReadAsync(reader.CaptureRanges([topic]), record =>
        {
            var parsed = new Google.Protobuf.MessageParser<TEvent>(() => new TEvent()).ParseFrom(record.Message.Value);
            if (parsed.Descriptor.FindFieldByName("order_id").Accessor.GetValue(parsed) as string == orderId)
            {
                found.Add(parsed);
            }

            return Task.CompletedTask;
        }, timeout.Token);
        return found;
    }
}
