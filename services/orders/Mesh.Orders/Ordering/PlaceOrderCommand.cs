using Mesh.Contracts.V1;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Orders.Ordering;

/// <summary>A PlaceOrder request that passed validation, with its total computed without overflow.</summary>
public sealed record PlaceOrderCommand(string UserId, string IdempotencyKey, IReadOnlyList<OrderLine> Lines, long TotalCents)
{
    public const int MaxLines = 100;
    public const int MaxQuantity = 10_000;
    public const int MaxKeyLength = 128;

    public static PlaceOrderCommand Validate(string userId, PlaceOrderRequest request)
    {
        var violations = new FieldViolations().RequireText("idempotency_key", request.IdempotencyKey, MaxKeyLength);
        if (request.Lines.Count is 0 or > MaxLines)
        {
            violations.Add("lines", $"must hold 1 to {MaxLines} lines");
        }

        for (var i = 0; i < Math.Min(request.Lines.Count, MaxLines); i++)
        {
            ValidateLine(violations, $"lines[{i}]", request.Lines[i]);
        }

        violations.ThrowIfAny();
        return new PlaceOrderCommand(userId, request.IdempotencyKey, request.Lines, Total(request.Lines));
    }

    private static void ValidateLine(FieldViolations violations, string path, OrderLine line)
    {
        violations.RequireText($"{path}.sku", line.Sku, 64);
        if (line.Quantity is <= 0 or > MaxQuantity)
        {
            violations.Add($"{path}.quantity", $"must be 1 to {MaxQuantity}");
        }

        if (line.UnitPriceCents < 0)
        {
            violations.Add($"{path}.unit_price_cents", "must not be negative");
        }
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
