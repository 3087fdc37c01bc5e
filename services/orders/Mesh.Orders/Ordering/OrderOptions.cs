using System.ComponentModel.DataAnnotations;

namespace Mesh.Orders.Ordering;

public sealed class OrderOptions
{
    public const string SectionName = "Orders";

    /// <summary>How long an idempotency key keeps answering with its first order.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The price in cents of every SKU that can be ordered: <c>Orders:Catalog:&lt;SKU&gt;</c>, e.g.
    /// <c>Orders__Catalog__TEA-GREEN=450</c> adds or overrides one.
    /// </summary>
    public Dictionary<string, long> Catalog { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
