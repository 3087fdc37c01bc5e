using Mesh.Contracts.V1;
using Mesh.Orders.Catalog;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Orders.Ordering;

/// <summary>
/// A PlaceOrder request that passed validation, every line priced from the catalog, with its total
/// computed without overflow.
/// </summary>
public sealed record PlaceOrderCommand(string UserId, string IdempotencyKey, IReadOnlyList<OrderLine> Lines, long TotalCents)
{
    public const int MaxLines = 100;
    public const int MaxQuantity = 10_000;
    public const int MaxKeyLength = 128;
    public const int MaxSkuLength = 64;

    /// <summary>
    /// INVALID_ARGUMENT naming every bad field (an unknown SKU among them), else FAILED_PRECONDITION
    /// when a line says a price other than the catalog's; a line without a price (0) takes the catalog's.
    /// </summary>
    public static PlaceOrderCommand Validate(string userId, PlaceOrderRequest request, ProductCatalog catalog)
    {
        var violations = new FieldViolations().RequireText("idempotency_key", request.IdempotencyKey, MaxKeyLength);
        if (request.Lines.Count is 0 or > MaxLines)
        {
            violations.Add("lines", $"must hold 1 to {MaxLines} lines");
        }

        var priced = new List<OrderLine>(request.Lines.Count);
        var stale = new List<PriceChangedException.StaleLine>();
        for (var i = 0; i < Math.Min(request.Lines.Count, MaxLines); i++)
        {
            var line = request.Lines[i];
            var product = ValidateLine(violations, $"lines[{i}]", line, catalog);
            if (product is null)
            {
                continue;
            }

            if (line.UnitPriceCents != 0 && line.UnitPriceCents != product.PriceCents)
            {
                stale.Add(new PriceChangedException.StaleLine(i, product, line.UnitPriceCents));
            }

            priced.Add(new OrderLine { Sku = product.Sku, Quantity = line.Quantity, UnitPriceCents = product.PriceCents });
        }

        violations.ThrowIfAny();
        if (stale.Count > 0)
        {
            throw new PriceChangedException(stale);
        }

        return new PlaceOrderCommand(userId, request.IdempotencyKey, priced, Total(priced));
    }

    private static CatalogItem? ValidateLine(FieldViolations violations, string path, OrderLine line, ProductCatalog catalog)
    {
        var valid = true;
        if (line.Quantity is <= 0 or > MaxQuantity)
        {
            violations.Add($"{path}.quantity", $"must be 1 to {MaxQuantity}");
            valid = false;
        }

        if (line.UnitPriceCents < 0)
        {
            violations.Add($"{path}.unit_price_cents", "must not be negative (0 takes the catalog price)");
            valid = false;
        }

        if (string.IsNullOrWhiteSpace(line.Sku) || line.Sku.Length > MaxSkuLength)
        {
            violations.RequireText($"{path}.sku", line.Sku, MaxSkuLength);
            return null;
        }

        if (!catalog.TryFind(line.Sku, out var product))
        {
            violations.Add($"{path}.sku", "is not in the catalog (ListProducts lists what can be ordered)");
            return null;
        }

        return valid ? product : null;
    }

    private static long Total(IEnumerable<OrderLine> lines)
    {
        try
        {
            return lines.Aggregate(0L, (sum, line) => checked(sum + line.Quantity * line.UnitPriceCents));
        }
        catch (OverflowException)
        {
            throw InvalidRequestException.ForField("lines", "total exceeds the largest amount an order can hold");
        }
    }
}
