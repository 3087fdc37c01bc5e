using Mesh.Orders.Catalog;
using Mesh.Orders.Ordering;
using Microsoft.Extensions.Options;

namespace Mesh.UnitTests;

/// <summary>Product catalogs over fixed options, for tests that price orders.</summary>
internal static class Catalogs
{
    public static ProductCatalog Of(params (string Sku, long PriceCents)[] items)
    {
        var options = new OrderOptions();
        foreach (var (sku, price) in items)
        {
            options.Catalog[sku] = price;
        }

        return new ProductCatalog(new FixedMonitor(options));
    }

    private sealed class FixedMonitor(OrderOptions value) : IOptionsMonitor<OrderOptions>
    {
        public OrderOptions CurrentValue => value;

        public OrderOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<OrderOptions, string?> listener) => null;
    }
}
