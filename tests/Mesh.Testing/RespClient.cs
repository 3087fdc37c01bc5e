using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Testing;

/// <summary>
/// Just enough RESP to ask redis-server whether it is up and to flush it, so the fixture does not
/// depend on the Redis client that the code under test uses.
/// </summary>
internal static class RespClient
{
    /// <summary>Sends one command and returns the first line of the reply, e.g. <c>+PONG</c>.</summary>
    public static async Task<string> SendAsync(int port, CancellationToken cancellationToken, params string[] command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        var stream = client.GetStream();

        var request = new StringBuilder($"*{command.Length}\r\n");
        foreach (var part in command)
        {
            request.Append($"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadLineAsync(cancellationToken) ?? "";
    }
}
