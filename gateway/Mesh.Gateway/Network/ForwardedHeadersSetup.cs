using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Network;

/// <summary>
/// ASP.NET Core trusts loopback as a proxy unless told otherwise; the gateway trusts exactly the
/// configured proxies, and reads only <c>X-Forwarded-For</c> (the scheme and host are its own).
/// With none configured the middleware is not used at all (<see cref="Extensions.NetworkServiceExtensions.UseTrustedForwardedHeaders"/>):
/// empty lists would make it trust every peer.
/// </summary>
public sealed class ForwardedHeadersSetup(IOptions<TrustedProxyOptions> trusted) : IConfigureOptions<ForwardedHeadersOptions>
{
    public void Configure(ForwardedHeadersOptions options)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
        options.ForwardLimit = trusted.Value.ForwardLimit;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // Superseded by KnownIPNetworks, yet still consulted, and it trusts loopback by default.
        options.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
        foreach (var network in trusted.Value.Networks())
        {
            options.KnownIPNetworks.Add(network);
        }
    }
}
