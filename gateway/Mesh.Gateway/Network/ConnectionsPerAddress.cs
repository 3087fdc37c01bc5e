using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Network;

/// <summary>
/// Kestrel connection middleware: at most <see cref="ConnectionLimitOptions.MaxPerAddress"/> open
/// connections per client address. HTTP/2 multiplexes a client's calls over few connections, so a
/// client that opens hundreds is hoarding streams (Kestrel bounds the streams per connection).
/// Kestrel's own limit is global; this one keeps one address from taking it all.
/// </summary>
public sealed partial class ConnectionsPerAddress(
    IOptionsMonitor<ConnectionLimitOptions> limits, IOptions<TrustedProxyOptions> trusted, ILogger<ConnectionsPerAddress> logger)
{
    private readonly ConcurrentDictionary<IPAddress, int> _open = new();
    private readonly IReadOnlyList<IPNetwork> _proxies = trusted.Value.Networks();

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (address is null || trusted.Value.Trusts(address, _proxies))
        {
            await next(connection);
            return;
        }

        var max = limits.CurrentValue.MaxPerAddress;
        if (_open.AddOrUpdate(address, 1, (_, open) => open + 1) > max)
        {
            Leave(address);
            LogRefused(address.ToString(), max);
            connection.Abort(new ConnectionAbortedException("Too many connections from this address."));
            return;
        }

        try
        {
            await next(connection);
        }
        finally
        {
            Leave(address);
        }
    };

    private void Leave(IPAddress address)
    {
        // Removes the entry only while it still says 1, so a concurrent arrival is never lost.
        if (_open.AddOrUpdate(address, 0, (_, open) => open - 1) <= 0)
        {
            _open.TryRemove(KeyValuePair.Create(address, 0));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a connection from {Address}: it holds {Max} already")]
    private partial void LogRefused(string address, int max);
}
