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
    /// <summary>
    /// Sends one command, after <c>AUTH</c> as <paramref name="login"/> when given, and returns the
    /// first line of the command's reply, e.g. <c>+PONG</c>.
    /// </summary>
    public static async Task<string> SendAsync(int port, (string User, string Password)? login, CancellationToken cancellationToken, params string[] command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        var stream = client.GetStream();

        var request = new StringBuilder();
        if (login is { } credentials)
        {
            Append(request, ["AUTH", credentials.User, credentials.Password]);
        }

        Append(request, command);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        if (login is not null && await reader.ReadLineAsync(cancellationToken) is var auth && auth != "+OK")
        {
            return auth ?? "";
        }

        return await reader.ReadLineAsync(cancellationToken) ?? "";
    }

    private static void Append(StringBuilder request, string[] command)
    {
        request.Append($"*{command.Length}\r\n");
        foreach (var part in command)
        {
            request.Append($"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }
    }
}
