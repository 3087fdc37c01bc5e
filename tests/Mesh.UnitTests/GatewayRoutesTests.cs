using Mesh.Gateway.Routing;

namespace Mesh.UnitTests;

public sealed class GatewayRoutesTests
{
    [Theory]
    [InlineData("/mesh.v1.Auth/Register", MethodAccess.Anonymous)]
    [InlineData("/mesh.v1.Auth/Login", MethodAccess.Anonymous)]
    [InlineData("/grpc.health.v1.Health/Check", MethodAccess.Infrastructure)]
    [InlineData("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", MethodAccess.Infrastructure)]
    [InlineData("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", MethodAccess.Infrastructure)]
    [InlineData("/mesh.v1.Auth/Logout", MethodAccess.Session)]
    [InlineData("/mesh.v1.Orders/PlaceOrder", MethodAccess.Session)]
    [InlineData("/mesh.v1.Users/GetCredit", MethodAccess.Session)]
    [InlineData("/mesh.v1.Notifications/Subscribe", MethodAccess.Session)]
    public void TryResolve_CanonicalPath_MethodWithItsAccess(string path, MethodAccess access)
    {
        Assert.True(GatewayMethods.TryResolve(path, out var method));
        Assert.Equal(path, method.Path);
        Assert.Equal(access, method.Access);
    }

    [Theory]
    [InlineData("/mesh.v1.orders/listorders", "/mesh.v1.Orders/ListOrders")]
    [InlineData("/MESH.V1.ORDERS/LISTORDERS", "/mesh.v1.Orders/ListOrders")]
    [InlineData("/mesh.v1.Orders/listOrders", "/mesh.v1.Orders/ListOrders")]
    [InlineData("/mesh.v1.Orders/ListOrders/", "/mesh.v1.Orders/ListOrders")]
    [InlineData("/mesh.v1.auth/login", "/mesh.v1.Auth/Login")]
    [InlineData("/mesh.v1.Auth/Register/extra", null)]
    [InlineData("/mesh.internal.v1.Credentials/VerifyPassword", null)]
    [InlineData("/mesh.internal.v1.Replay/Rebuild", null)]
    [InlineData("/", null)]
    public void TryResolve_AnyOtherSpelling_NotResolvedButCanonicalNamed(string path, string? canonical)
    {
        Assert.False(GatewayMethods.TryResolve(path, out _));
        Assert.Equal(canonical, GatewayMethods.CanonicalSpellingOf(path));
    }

    [Fact]
    public void Routes_EveryRoute_TargetsADeclaredCluster()
    {
        var address = new Uri("http://127.0.0.1:1");
        var clusters = GatewayRoutes.Clusters(new ServiceAddresses { Users = address, Orders = address, Notifications = address })
            .Select(c => c.ClusterId)
            .ToHashSet();

        Assert.All(GatewayRoutes.Routes, route => Assert.Contains(route.ClusterId!, clusters));
    }
}
