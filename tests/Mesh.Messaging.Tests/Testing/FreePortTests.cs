using System.Net;
using System.Net.Sockets;
using Mesh.Testing;

namespace Mesh.Messaging.Tests.Testing;

[Trait("Category", "Fast")]
public sealed class FreePortTests
{
    [Fact]
    public void Next_Called_ReturnsAPortThatCanBeBoundOnLoopback()
    {
        var port = FreePort.Next();

        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        listener.Stop();
        Assert.InRange(port, 1024, 65535);
    }

    [Fact]
    public void Next_ManyCalls_NeverTheSamePortTwice()
    {
        // Enough draws that the OS hands some port out twice (a few hundred are enough on Linux).
        var ports = Enumerable.Range(0, 2000).Select(_ => FreePort.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
    }
}
