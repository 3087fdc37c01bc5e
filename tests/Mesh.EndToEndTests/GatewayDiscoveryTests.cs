using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Mesh.EndToEndTests.Infrastructure;

namespace Mesh.EndToEndTests;

[Collection(MeshCollection.Name)]
public sealed class GatewayDiscoveryTests(MeshFixture mesh)
{
    [Fact]
    public async Task ServerReflection_ListServices_DescribesThePublicApiWithoutAToken()
    {
        var reflection = new ServerReflection.ServerReflectionClient(mesh.Gateway);
        using var call = reflection.ServerReflectionInfo(deadline: TestUser.Deadline);

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("mesh.v1.Auth", services);
        Assert.Contains("mesh.v1.Orders", services);
        Assert.Contains("mesh.v1.Notifications", services);
        Assert.DoesNotContain(services, s => s.StartsWith("mesh.internal.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_Check_ServingWithoutAToken()
    {
        var health = new Health.HealthClient(mesh.Gateway);

        var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: TestUser.Deadline);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Health_LivenessService_ServingWithoutAToken()
    {
        var health = new Health.HealthClient(mesh.Gateway);

        var reply = await health.CheckAsync(new HealthCheckRequest { Service = "liveness" }, deadline: TestUser.Deadline);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }
}
