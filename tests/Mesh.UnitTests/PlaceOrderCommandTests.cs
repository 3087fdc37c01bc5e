using Google.Rpc;
using Mesh.Contracts.V1;
using Mesh.Orders.Catalog;
using Mesh.Orders.Ordering;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.UnitTests;

public sealed class PlaceOrderCommandTests
{
    private static readonly ProductCatalog Catalog = Catalogs.Of(("A", 150), ("B", 99), ("TEA-GREEN", 450));

    [Fact]
    public void Validate_NoPricesSent_PricedFromTheCatalog()
    {
        var command = PlaceOrderCommand.Validate("usr_1", Request("k", Line("A", 2, 0), Line("b", 1, 0)), Catalog);

        Assert.Equal(399, command.TotalCents);
        Assert.Equal("k", command.IdempotencyKey);
        Assert.Equal([("A", 150L), ("B", 99L)], command.Lines.Select(l => (l.Sku, l.UnitPriceCents)));
    }

    [Fact]
    public void Validate_CatalogPricesSent_Accepted()
    {
        var command = PlaceOrderCommand.Validate("usr_1", Request("k", Line("TEA-GREEN", 3, 450)), Catalog);

        Assert.Equal(1350, command.TotalCents);
    }

    [Fact]
    public void Validate_OtherPrice_FailedPreconditionWithCurrentPrices()
    {
        var exception = Assert.Throws<PriceChangedException>(() =>
            PlaceOrderCommand.Validate("usr_1", Request("k", Line("A", 1, 150), Line("tea-green", 3, 1)), Catalog));

        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, exception.Code);
        var violation = Assert.Single(exception.Details.OfType<PreconditionFailure>().Single().Violations);
        Assert.Equal("lines[1].unit_price_cents", violation.Subject);
        Assert.Equal("450", exception.Details.OfType<ErrorInfo>().Single().Metadata["TEA-GREEN"]);
    }

    [Fact]
    public void Validate_UnknownSku_InvalidArgumentNamingTheLine()
    {
        var exception = Assert.Throws<InvalidRequestException>(() =>
            PlaceOrderCommand.Validate("usr_1", Request("k", Line("A", 1, 0), Line("GOLD-BAR", 1, 0)), Catalog));

        Assert.Equal("lines[1].sku", Assert.Single(exception.Violations).Field);
    }

    [Fact]
    public void Validate_NoLines_NamesLinesAndKey()
    {
        var exception = Assert.Throws<InvalidRequestException>(() => PlaceOrderCommand.Validate("usr_1", Request(""), Catalog));

        Assert.Equal(["idempotency_key", "lines"], exception.Violations.Select(v => v.Field).Order());
    }

    [Fact]
    public void Validate_TotalOverflows_InvalidArgumentNotCrash()
    {
        var huge = Catalogs.Of(("HUGE", long.MaxValue / 2));

        var exception = Assert.Throws<InvalidRequestException>(() =>
            PlaceOrderCommand.Validate("usr_1", Request("k", Line("HUGE", 10_000, 0)), huge));

        Assert.Equal("lines", Assert.Single(exception.Violations).Field);
    }

    [Fact]
    public void Validate_TooManyLines_Rejected()
    {
        var lines = Enumerable.Range(0, PlaceOrderCommand.MaxLines + 1).Select(_ => Line("A", 1, 0)).ToArray();

        var exception = Assert.Throws<InvalidRequestException>(() => PlaceOrderCommand.Validate("usr_1", Request("k", lines), Catalog));

        Assert.Contains(exception.Violations, v => v.Field == "lines");
    }

    private static PlaceOrderRequest Request(string key, params OrderLine[] lines) =>
        new() { IdempotencyKey = key, Lines = { lines } };

    private static OrderLine Line(string sku, int quantity, long price) =>
        new() { Sku = sku, Quantity = quantity, UnitPriceCents = price };
}
