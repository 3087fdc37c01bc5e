using System.Collections.Frozen;
using Mesh.Orders.Ordering;
using Microsoft.Extensions.Options;

namespace Mesh.Orders.Catalog;

/// <summary>
/// What can be ordered and at which price, from <c>Orders:Catalog:&lt;SKU&gt;</c> (cents). The order
/// service prices every line from here, never from the client. SKUs match without regard to case
/// (configuration keys do not keep it either) and are written as the catalog spells them. A
/// reloaded configuration prices the next order.
/// </summary>
public sealed class ProductCatalog(IOptionsMonitor<OrderOptions> options)
{
    private Snapshot? _snapshot;

    /// <summary>The catalog's spelling of <paramref name="sku"/> and its price, if it is sold.</summary>
    public bool TryFind(string sku, out CatalogItem product) => Current.BySku.TryGetValue(sku, out product!);

    /// <summary>Every product, by SKU.</summary>
    public IReadOnlyList<CatalogItem> All => Current.Products;

    private Snapshot Current
    {
        get
        {
            var source = options.CurrentValue;
            var snapshot = _snapshot;
            if (snapshot?.Source != source)
            {
                // Built whole, then swapped: a call never sees half of a reload.
                snapshot = new Snapshot(source);
                _snapshot = snapshot;
            }

            return snapshot;
        }
    }

    private sealed class Snapshot(OrderOptions source)
    {
        public OrderOptions Source { get; } = source;

        public IReadOnlyList<CatalogItem> Products { get; } =
            [.. source.Catalog.Select(p => new CatalogItem(p.Key, p.Value)).OrderBy(p => p.Sku, StringComparer.Ordinal)];

        public FrozenDictionary<string, CatalogItem> BySku { get; } =
            source.Catalog.ToFrozenDictionary(p => p.Key, p => new CatalogItem(p.Key, p.Value), StringComparer.OrdinalIgnoreCase);
    }
}
