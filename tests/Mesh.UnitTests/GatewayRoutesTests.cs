using Mesh.Gateway.Routing;

namespace Mesh.UnitTests;

public sealed class GatewayRoutesTests
{
    [Theory]
    [InlineData("/mesh.v1.Auth/Register", true)]
    [InlineData("/mesh.v1.Auth/Login", true)]
    [InlineData("/grpc.health.v1.Health/Check", true)]
    [InlineData("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", true)]
    [InlineData("/mesh.v1.Auth/Logout", false)]
    [InlineData("/mesh.v1.Orders/PlaceOrder", false)]
    [InlineData("/mesh.v1.Auth/Register/extra", false)]
    public void IsAnonymous_Path_OnlyRegisterLoginAndInfrastructure(string path, bool anonymous) =>
        Assert.Equal(anonymous, GatewayRoutes.IsAnonymous(path));

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
