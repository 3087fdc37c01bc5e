using System.Net;
using Mesh.Gateway.Network;

namespace Mesh.UnitTests;

public sealed class TrustedProxyOptionsTests
{
    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("192.168.0.9", true)]
    [InlineData("192.168.0.10", false)]
    [InlineData("127.0.0.1", false)]
    public void Trusts_ConfiguredProxiesAndNetworksOnly(string peer, bool trusted)
    {
        var options = new TrustedProxyOptions { KnownNetworks = ["10.0.0.0/8"], KnownProxies = ["192.168.0.9"] };

        Assert.Equal(trusted, options.Trusts(IPAddress.Parse(peer), options.Networks()));
    }

    [Fact]
    public void Validate_NotAnAddressOrNetwork_NamesEachEntry()
    {
        var result = new TrustedProxyOptionsValidator().Validate(null, new TrustedProxyOptions
        {
            KnownNetworks = ["10.0.0.0/8", "ten"], KnownProxies = ["proxy.local"],
        });

        Assert.True(result.Failed);
        Assert.Equal(2, result.Failures!.Count());
    }
}
