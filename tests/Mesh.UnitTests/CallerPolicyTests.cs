using Mesh.Identity;
using Mesh.ServiceDefaults.Hosting;

namespace Mesh.UnitTests;

public sealed class CallerPolicyTests
{
    private static readonly CallerPolicy Policy = new CallerPolicy()
        .Allow("/mesh.v1.Users/", Workloads.Gateway)
        .Allow("/mesh.internal.v1.Replay/", Workloads.Operator)
        .Allow("/mesh.v1.Users/Special", Workloads.Operator);

    [Theory]
    [InlineData("/mesh.v1.Users/GetCredit", Workloads.Gateway, true)]
    [InlineData("/mesh.v1.Users/GetCredit", Workloads.Operator, false)]
    [InlineData("/mesh.internal.v1.Replay/Rebuild", Workloads.Operator, true)]
    [InlineData("/mesh.internal.v1.Replay/Rebuild", Workloads.Gateway, false)]
    [InlineData("/mesh.v1.Users/Special", Workloads.Operator, true)]
    [InlineData("/mesh.v1.Users/Special", Workloads.Gateway, false)]
    [InlineData("/grpc.health.v1.Health/Check", Workloads.Sidecar, true)]
    [InlineData("/mesh.v1.Orders/ListOrders", Workloads.Gateway, false)]
    public void Allows_LongestPrefixDecides_UnnamedMethodsRefused(string path, string workload, bool allowed) =>
        Assert.Equal(allowed, Policy.Allows(path, new WorkloadId("mesh.local", workload)));
}
