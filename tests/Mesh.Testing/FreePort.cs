using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Testing;

/// <summary>Free TCP ports on loopback, so parallel test runs never collide on a fixed port.</summary>
public static class FreePort
{
    // Every port handed out in this process. The OS may hand the same free port to two binds in a
    // row (nothing holds it in between), so two servers of one test could be told to take the same
    // port: one fails to start and its callers reach the other.
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    /// <summary>
    /// A port the OS just handed out on 127.0.0.1 and that this process has not handed out before.
    /// It is free now, not reserved: start the server on it at once, and retry with a new port if it
    /// was taken in between.
    /// </summary>
    public static int Next()
    {
        while (true)
        {
            var port = Bound();
            if (HandedOut.TryAdd(port, true))
            {
                return port;
            }
        }
    }

    private static int Bound()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
