using System.Net;

namespace Mesh.Gateway.Network;

/// <summary>
/// Section <c>ForwardedHeaders</c>: the proxies (load balancers, ingress controllers) whose
/// <c>X-Forwarded-For</c> names the real client. From anyone else the header is ignored, or every
/// client could pick the address its quota is charged to. Empty by default: no proxy is trusted,
/// not even loopback.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Single addresses, e.g. <c>10.0.0.7</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks in CIDR form, e.g. <c>10.0.0.0/8</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How many proxies deep to read <c>X-Forwarded-For</c>: the entries appended by trusted proxies.</summary>
    public int ForwardLimit { get; set; } = 1;

    public IReadOnlyList<IPNetwork> Networks() =>
        [.. KnownProxies.Select(p => new IPNetwork(IPAddress.Parse(p), IPAddress.Parse(p).GetAddressBytes().Length * 8)),
         .. KnownNetworks.Select(IPNetwork.Parse)];

    public bool Trusts(IPAddress address, IReadOnlyList<IPNetwork> networks)
    {
        var candidate = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in networks)
        {
            if (network.Contains(candidate))
            {
                return true;
            }
        }

        return false;
    }
}
