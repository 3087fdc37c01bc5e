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
}
