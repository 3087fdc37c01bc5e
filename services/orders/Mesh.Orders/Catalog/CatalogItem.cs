namespace Mesh.Orders.Catalog;

/// <summary>One SKU of the catalog and its current price.</summary>
public sealed record CatalogItem(string Sku, long PriceCents);
