using System.Net;
using System.Net.Sockets;

namespace Mesh.Testing;

/// <summary>Free TCP ports on loopback, so parallel test runs never collide on a fixed port.</summary>
public static class FreePort
{
    /// <summary>
    /// A port the OS just handed out on 127.0.0.1. It is free now, not reserved: start the server
    /// on it at once, and retry with a new port if it was taken in between.
    /// </summary>
    public static int Next()
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
