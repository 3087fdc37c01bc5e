using Google.Protobuf;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Messaging;
using Mesh.Orders.Ordering;
using Mesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using StackExchange.Redis.Profiling;

namespace Mesh.IntegrationTests;

/// <summary>
/// PlaceOrder against a real Redis and the in-process broker: what it costs in round trips, and
/// that without a lock concurrent placements with one idempotency key still make one order.
/// </summary>
public sealed class OrderPlacementTests(RedisServerFixture redis, KafkaBrokerFixture kafka)
    : RedisTestBase(redis), IClassFixture<KafkaBrokerFixture>
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task Place_NewOrder_TwoRedisRoundTripsBeforeThePublishAndOneAfter()
    {
        await using var services = OrdersServiceHost.Build(Redis, kafka.BootstrapServers, _clock);
        var views = services.GetRequiredService<OrderViews>();
        await views.Generations.TargetsAsync(); // What a running service has read already.
        var before = new ProfilingSession();
        var after = new ProfilingSession();
        var current = before;
        Redis.RegisterProfiler(() => current);
        var publisher = new ObservedPublisher(services.GetRequiredService<IEventPublisher>(), () => current = after);
        var placement = new OrderPlacement(
            services.GetRequiredService<OrderDecisions>(), views, publisher, _clock, NullLogger<OrderPlacement>.Instance);

        var order = await placement.PlaceAsync(Command("usr_rt", "k"), CancellationToken.None);

        Assert.Equal(OrderStatus.Pending, order.Status);
        var sentBefore = before.FinishProfiling().Select(c => c.Command).ToList();
        var sentAfter = after.FinishProfiling().Select(c => c.Command).ToList();
        Assert.True(sentBefore.Count <= 2, "before the publish: " + string.Join(", ", sentBefore));
        Assert.True(sentAfter.Count <= 1, "after the publish: " + string.Join(", ", sentAfter));
        Assert.Equal(order, await views.FindAsync("usr_rt", order.OrderId));
    }

    [Fact]
    public async Task Place_SameKeyConcurrentlyWithPublishesHeld_OneOrderAndOneEventIdEvenIfPublishedTwice()
    {
        await using var services = OrdersServiceHost.Build(Redis, kafka.BootstrapServers, _clock);
        var release = new TaskCompletionSource();
        var publisher = new ObservedPublisher(services.GetRequiredService<IEventPublisher>(), onPublish: null, hold: release.Task);
        var placement = new OrderPlacement(
            services.GetRequiredService<OrderDecisions>(), services.GetRequiredService<OrderViews>(), publisher, _clock,
            NullLogger<OrderPlacement>.Instance);

        // Both claim before either publishes: the worst interleaving a lock used to prevent.
        var placing = Enumerable.Range(0, 2).Select(_ => placement.PlaceAsync(Command("usr_race", "same"), CancellationToken.None)).ToList();
        await publisher.WaitForAsync(2);
        release.SetResult();
        var orders = await Task.WhenAll(placing);

        Assert.Single(orders.Select(o => o.OrderId).Distinct());
        Assert.Single(publisher.Published.Select(e => ((OrderPlaced)e).EventId).Distinct());
        var (listed, _) = await services.GetRequiredService<OrderViews>().PageAsync("usr_race", 0, 10);
        Assert.Single(listed);
    }

    private static PlaceOrderCommand Command(string userId, string key) =>
        new(userId, key, [new OrderLine { Sku = "TEA", Quantity = 1, UnitPriceCents = 450 }], 450);

    /// <summary>The real publisher, told when a publish starts and optionally held there.</summary>
    private sealed class ObservedPublisher(IEventPublisher inner, Action? onPublish, Task? hold = null) : IEventPublisher
    {
        private readonly List<IMessage> _published = [];

        public IReadOnlyList<IMessage> Published
        {
            get
            {
                lock (_published)
                {
                    return [.. _published];
                }
            }
        }

        public Task PublishAsync<TEvent>(TEvent @event, CancellationToken cancellationToken)
            where TEvent : IMessage<TEvent>, new() => PublishAsync((IMessage)@event, cancellationToken);

        public async Task PublishAsync(IMessage @event, CancellationToken cancellationToken)
        {
            onPublish?.Invoke();
            lock (_published)
            {
                _published.Add(@event);
            }

            if (hold is not null)
            {
                await hold;
            }

            await inner.PublishAsync(@event, cancellationToken);
        }

        public Task WaitForAsync(int count) => Poll.UntilAsync(
            () => Published.Count >= count, TimeSpan.FromSeconds(30), () => $"{Published.Count} of {count} events published.", TimeSpan.FromMilliseconds(10));
    }
}
