using System.ComponentModel.DataAnnotations;

namespace Mesh.Orders.Ordering;

public sealed class OrderOptions
{
    public const string SectionName = "Orders";

    /// <summary>How long an idempotency key keeps answering with its first order.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long an order may stay PENDING: a credit decision that has not come by then (the user
    /// service down, a dead-lettered record) no longer will in time, so the sweeper rejects the
    /// order with reason <c>timed_out</c> and the user service releases any credit it reserves later.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan SettleWithin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often each replica looks for orders past their deadline (randomised by ±20 %).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a replica owns an order it took from the sweep: if it dies before settling it,
    /// another replica takes the order after this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SweepClaim { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a user's order history keeps an order: older orders leave the view when the user
    /// places a new one (and are gone from a rebuild, whose log holds less anyway).
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// The price in cents of every SKU that can be ordered: <c>Orders:Catalog:&lt;SKU&gt;</c>, e.g.
    /// <c>Orders__Catalog__TEA-GREEN=450</c> adds or overrides one.
    /// </summary>
    public Dictionary<string, long> Catalog { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
