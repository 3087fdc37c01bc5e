using Microsoft.Extensions.Options;

namespace Mesh.Orders.Ordering;

/// <summary>Refuses a catalog that could not price an order: empty, a bad SKU or a price out of range.</summary>
public sealed class OrderOptionsValidator : IValidateOptions<OrderOptions>
{
    /// <summary>Ten billion dollars: a line of the most units at this price still cannot overflow a total.</summary>
    public const long MaxPriceCents = 1_000_000_000_000;

    public ValidateOptionsResult Validate(string? name, OrderOptions options)
    {
        var errors = new List<string>();
        if (options.Catalog.Count == 0)
        {
            errors.Add("Orders:Catalog is empty: nothing could be ordered. Add Orders:Catalog:<SKU>=<price in cents>.");
        }

        foreach (var (sku, price) in options.Catalog)
        {
            if (sku.Length is 0 or > PlaceOrderCommand.MaxSkuLength || sku.Any(char.IsWhiteSpace))
            {
                errors.Add($"Orders:Catalog:'{sku}' is not a valid SKU (1 to {PlaceOrderCommand.MaxSkuLength} characters, no spaces).");
            }

            if (price is <= 0 or > MaxPriceCents)
            {
                errors.Add($"Orders:Catalog:{sku} must be a price in cents from 1 to {MaxPriceCents}, not {price}.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
