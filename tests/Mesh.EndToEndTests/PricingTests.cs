using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;

namespace Mesh.EndToEndTests;

/// <summary>The order service prices every line from its catalog; a client's price is only ever checked against it.</summary>
[Collection(MeshCollection.Name)]
public sealed class PricingTests(MeshFixture mesh)
{
    private static readonly long ItemPrice = TestCatalog.Prices[TestCatalog.Item];

    [Fact]
    public async Task PlaceOrder_NoPrice_ChargedTheCatalogPriceThroughTheSaga()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);

        var order = await user.PlaceOrderAsync("catalog-price", TestUser.Line(TestCatalog.Item, quantity: 2));

        Assert.Equal(2 * ItemPrice, order.TotalCents);
        Assert.Equal(ItemPrice, Assert.Single(order.Lines).UnitPriceCents);
        var users = new Users.UsersClient(mesh.Gateway);
        var credit = await Eventually.ReadAsync(
            () => users.GetCreditAsync(new GetCreditRequest(), user.Call()).ResponseAsync,
            c => c.ReservedCents > 0,
            TimeSpan.FromSeconds(30));
        Assert.Equal(2 * ItemPrice, credit.ReservedCents);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(999_999)]
    public async Task PlaceOrder_OtherPrice_FailedPreconditionWithTheCurrentPriceAndNoOrder(long sentCents)
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);

        var status = await RpcAssert.FailsWithAsync(StatusCode.FailedPrecondition, () =>
            user.PlaceOrderAsync("stale-price", TestUser.Line("sku-1", 1, sentCents)));

        Assert.Equal("lines[0].unit_price_cents", Assert.Single(status.Detail<PreconditionFailure>().Violations).Subject);
        var info = status.Detail<ErrorInfo>();
        Assert.Equal("PRICE_CHANGED", info.Reason);
        Assert.Equal(ItemPrice.ToString(System.Globalization.CultureInfo.InvariantCulture), info.Metadata[TestCatalog.Item]);
        Assert.Empty((await user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call())).Orders);
        var retried = await user.PlaceOrderAsync("stale-price", TestUser.Line(TestCatalog.Item, 1, ItemPrice));
        Assert.Equal(ItemPrice, retried.TotalCents);
    }

    [Fact]
    public async Task PlaceOrder_UnknownSku_InvalidArgumentNamingIt()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);

        var status = await RpcAssert.FailsWithAsync(StatusCode.InvalidArgument, () =>
            user.PlaceOrderAsync("no-such-sku", TestUser.Line(TestCatalog.Item), TestUser.Line("GOLD-BAR")));

        Assert.Equal("lines[1].sku", Assert.Single(status.Detail<BadRequest>().FieldViolations).Field);
    }

    [Fact]
    public async Task ListProducts_Catalog_EverySkuWithItsPrice()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);

        var products = new List<Product>();
        var request = new ListProductsRequest { PageSize = 3 };
        do
        {
            var page = await user.Orders.ListProductsAsync(request, user.Call());
            products.AddRange(page.Products);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        Assert.All(TestCatalog.Prices, item => Assert.Contains(products, p => p.Sku == item.Key && p.UnitPriceCents == item.Value));
        Assert.Equal(products.Count, products.Select(p => p.Sku).Distinct().Count());
    }
}
