using Mesh.Quotas.Configuration;

namespace Mesh.UnitTests;

public sealed class QuotaMethodSpellingTests
{
    private static readonly QuotaPolicySet Policies = QuotaPolicySet.Compile(new QuotaOptions
    {
        Policies =
        {
            ["place-order"] = new QuotaPolicyOptions
            {
                Match = { ["method"] = "/mesh.v1.Orders/PlaceOrder" }, Capacity = 5, RefillPerSecond = 1,
            },
        },
    });

    [Theory]
    [InlineData("/mesh.v1.Orders/PlaceOrder", "/mesh.v1.Orders/PlaceOrder")]
    [InlineData("/MESH.V1.ORDERS/PLACEORDER", "/mesh.v1.Orders/PlaceOrder")]
    [InlineData("/mesh.v1.orders/placeorder//", "/mesh.v1.Orders/PlaceOrder")]
    [InlineData("/Other.Service/Call/", "/other.service/call")]
    public void CanonicalMethod_AnySpelling_OneSpellingPerMethod(string sent, string canonical) =>
        Assert.Equal(canonical, Policies.CanonicalMethod(sent));
}
