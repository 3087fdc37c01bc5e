using Mesh.Orders.Ordering;
using Mesh.ServiceDefaults.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Mesh.IntegrationTests;

/// <summary>The order service's Redis classes over one connection, with short windows and a clock the test moves.</summary>
public sealed class OrderStores
{
    public OrderStores(IConnectionMultiplexer redis, FakeTimeProvider? clock = null, OrderOptions? orders = null, EventRetentionOptions? events = null)
    {
        Clock = clock ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        Options = orders ?? new OrderOptions { IdempotencyRetention = TimeSpan.FromHours(1), HistoryRetention = TimeSpan.FromDays(30) };
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        Window = new EventWindow(
            Microsoft.Extensions.Options.Options.Create(events ?? new EventRetentionOptions()), Clock, meters, NullLogger<EventWindow>.Instance);
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        Decisions = new OrderDecisions(redis, options, Window);
        Views = new OrderViews(redis, options, Clock);
        Queue = new SettlementQueue(redis);
    }

    public FakeTimeProvider Clock { get; }

    public OrderOptions Options { get; }

    public EventWindow Window { get; }

    public OrderDecisions Decisions { get; }

    public OrderViews Views { get; }

    public SettlementQueue Queue { get; }
}
