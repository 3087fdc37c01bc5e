using Mesh.Contracts.V1;
using Mesh.Orders.Ordering;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.UnitTests;

public sealed class PlaceOrderCommandTests
{
    [Fact]
    public void Validate_GoodRequest_ComputesTotal()
    {
        var command = PlaceOrderCommand.Validate("usr_1", Request("k", Line("A", 2, 150), Line("B", 1, 99)));

        Assert.Equal(399, command.TotalCents);
        Assert.Equal("k", command.IdempotencyKey);
    }

    [Fact]
    public void Validate_NoLines_NamesLinesAndKey()
    {
        var exception = Assert.Throws<InvalidRequestException>(() => PlaceOrderCommand.Validate("usr_1", Request("")));

        Assert.Equal(["idempotency_key", "lines"], exception.Violations.Select(v => v.Field).Order());
    }

    [Fact]
    public void Validate_TotalOverflows_InvalidArgumentNotCrash()
    {
        var exception = Assert.Throws<InvalidRequestException>(() =>
            PlaceOrderCommand.Validate("usr_1", Request("k", Line("A", 10_000, long.MaxValue / 2))));

        Assert.Equal("lines", Assert.Single(exception.Violations).Field);
    }

    [Fact]
    public void Validate_TooManyLines_Rejected()
    {
        var lines = Enumerable.Range(0, PlaceOrderCommand.MaxLines + 1).Select(i => Line($"S{i}", 1, 1)).ToArray();

        var exception = Assert.Throws<InvalidRequestException>(() => PlaceOrderCommand.Validate("usr_1", Request("k", lines)));

        Assert.Contains(exception.Violations, v => v.Field == "lines");
    }

    private static PlaceOrderRequest Request(string key, params OrderLine[] lines) =>
        new() { IdempotencyKey = key, Lines = { lines } };

    private static OrderLine Line(string sku, int quantity, long price) =>
        new() { Sku = sku, Quantity = quantity, UnitPriceCents = price };
}
