using Mesh.Identity;

namespace Mesh.UnitTests;

public sealed class WorkloadIdentityTests
{
    [Fact]
    public void Verify_CertificateOfTheMeshCa_ItsWorkload()
    {
        using var ca = CertificateAuthority.Create("mesh.local", TimeSpan.FromDays(1));
        using var issued = ca.Issue("orders", TimeSpan.FromHours(1), ["orders.mesh.svc"]);

        var id = Bundle(ca).Verify(issued, null, out var problem);

        Assert.Equal(new WorkloadId("mesh.local", "orders"), id);
        Assert.Equal("", problem);
        Assert.Equal("spiffe://mesh.local/orders", Assert.Single(CertificateNames.Uris(issued)));
    }

    [Fact]
    public void Verify_CertificateOfAnotherCa_Refused()
    {
        using var ca = CertificateAuthority.Create("mesh.local", TimeSpan.FromDays(1));
        using var stranger = CertificateAuthority.Create("mesh.local", TimeSpan.FromDays(1));
        using var issued = stranger.Issue("gateway", TimeSpan.FromHours(1));

        Assert.Null(Bundle(ca).Verify(issued, null, out var problem));
        Assert.NotEqual("", problem);
    }

    [Fact]
    public void Verify_CertificateOfAnotherTrustDomain_Refused()
    {
        using var ca = CertificateAuthority.Create("elsewhere.local", TimeSpan.FromDays(1));
        using var issued = ca.Issue("gateway", TimeSpan.FromHours(1));

        Assert.Null(new TrustBundle([ca.Certificate], "mesh.local").Verify(issued, null, out var problem));
        Assert.Contains("trust domain", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spiffe://mesh.local/orders", "orders")]
    [InlineData("SPIFFE://Mesh.Local/orders", "orders")]
    [InlineData("spiffe://mesh.local/a/b", null)]
    [InlineData("spiffe://mesh.local/", null)]
    [InlineData("https://mesh.local/orders", null)]
    public void TryParse_SpiffeIds_OneSegmentOnly(string uri, string? name) =>
        Assert.Equal(name, WorkloadId.TryParse(new Uri(uri))?.Name);

    private static TrustBundle Bundle(CertificateAuthority ca) => new([ca.Certificate], ca.TrustDomain);
}
