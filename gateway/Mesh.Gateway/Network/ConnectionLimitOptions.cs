using System.ComponentModel.DataAnnotations;

namespace Mesh.Gateway.Network;

/// <summary>Section <c>Connections</c>: what one client address may hold open at the gateway.</summary>
public sealed class ConnectionLimitOptions
{
    public const string SectionName = "Connections";

    /// <summary>
    /// Concurrent connections from one address; the next is closed at once. Trusted proxies
    /// (<see cref="TrustedProxyOptions"/>) carry many clients and are not limited.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxPerAddress { get; set; } = 100;
}
