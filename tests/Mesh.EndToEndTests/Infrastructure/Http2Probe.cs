using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// A bare HTTP/2 connection (h2c, prior knowledge): sends the client preface and reads the
/// server's SETTINGS, which is what a server says about its per-connection limits.
/// </summary>
public sealed class Http2Probe : IAsyncDisposable
{
    private static readonly byte[] Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    /// <summary>The SETTINGS identifier of the most concurrent streams a peer accepts (RFC 9113, 6.5.2).</summary>
    public const ushort MaxConcurrentStreams = 0x3;

    private readonly TcpClient _client = new();

    private NetworkStream Stream => _client.GetStream();

    /// <summary>Connects and returns the server's settings, or null when the server closed the connection instead.</summary>
    public async Task<IReadOnlyDictionary<ushort, uint>?> ConnectAsync(Uri address, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _client.ConnectAsync(address.Host, address.Port, timeout.Token);
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Refused while the handshake completed: a server at its connection limit may reset
            // a connection it is still accepting, which is the same answer as closing it.
            return null;
        }

        try
        {
            await Stream.WriteAsync(Preface, timeout.Token);
            await Stream.WriteAsync(new byte[] { 0, 0, 0, 0x4, 0, 0, 0, 0, 0 }, timeout.Token); // empty SETTINGS
            while (true)
            {
                var header = new byte[9];
                if (!await ReadExactlyAsync(header, timeout.Token))
                {
                    return null;
                }

                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var payload = new byte[length];
                if (!await ReadExactlyAsync(payload, timeout.Token))
                {
                    return null;
                }

                var isSettings = header[3] == 0x4 && (header[4] & 0x1) == 0;
                if (isSettings)
                {
                    var settings = new Dictionary<ushort, uint>();
                    for (var at = 0; at + 6 <= length; at += 6)
                    {
                        settings[BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(at))] = BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(at + 2));
                    }

                    return settings;
                }
            }
        }
        catch (IOException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await Stream.ReadExactlyAsync(buffer, cancellationToken);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
