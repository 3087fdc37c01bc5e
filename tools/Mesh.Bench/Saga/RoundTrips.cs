using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace Mesh.Bench.Saga;

/// <summary>
/// Redis round trips by client, watched with MONITOR: every command a client sent counts once,
/// and the commands a script ran inside Redis (MONITOR tags them <c>lua</c>) not at all, unlike
/// INFO commandstats, which counts both. Each service connects under its own client name
/// (<c>name=</c> in its Redis configuration), so CLIENT LIST says whose address a command came from.
/// </summary>
public sealed class RoundTrips : IAsyncDisposable
{
    private readonly TcpClient _connection;
    private readonly Task _reading;
    private readonly Dictionary<(string Address, string Command), long> _byAddress = [];
    private readonly Lock _gate = new();

    private RoundTrips(TcpClient connection, StreamReader reader)
    {
        _connection = connection;
        _reading = Task.Run(() => ReadAsync(reader));
    }

    public static async Task<RoundTrips> WatchAsync(string host, int port)
    {
        var connection = new TcpClient();
        await connection.ConnectAsync(host, port);
        var stream = connection.GetStream();
        await stream.WriteAsync("*1\r\n$7\r\nMONITOR\r\n"u8.ToArray());
        var reader = new StreamReader(stream, Encoding.UTF8);
        if (await reader.ReadLineAsync() != "+OK")
        {
            throw new InvalidOperationException("Redis refused MONITOR.");
        }

        return new RoundTrips(connection, reader);
    }

    /// <summary>Round trips so far by client name and command, counted from when MONITOR started.</summary>
    public async Task<IReadOnlyDictionary<(string Client, string Command), long>> ByClientAsync(IServer server)
    {
        var names = (await server.ClientListAsync()).ToDictionary(c => Format(c.Address), c => string.IsNullOrEmpty(c.Name) ? "(unnamed)" : c.Name);
        lock (_gate)
        {
            return _byAddress.GroupBy(a => (names.GetValueOrDefault(a.Key.Address, "(gone)"), a.Key.Command))
                .ToDictionary(g => g.Key, g => g.Sum(a => a.Value));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _connection.Dispose();
        await _reading.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task ReadAsync(StreamReader reader)
    {
        // +1732960000.123456 [0 127.0.0.1:51234] "EVALSHA" "…" — or [0 lua] for a script's own commands.
        while (await reader.ReadLineAsync() is { } line)
        {
            var open = line.IndexOf('[', StringComparison.Ordinal);
            var close = open < 0 ? -1 : line.IndexOf(']', open);
            if (close < 0)
            {
                continue;
            }

            var source = line[(line.IndexOf(' ', open) + 1)..close];
            if (source == "lua")
            {
                continue;
            }

            var command = line[(close + 1)..].TrimStart().Split(' ', 2)[0].Trim('"').ToUpperInvariant();
            lock (_gate)
            {
                _byAddress[(source, command)] = _byAddress.GetValueOrDefault((source, command)) + 1;
            }
        }
    }

    private static string Format(System.Net.EndPoint? endPoint) => endPoint switch
    {
        System.Net.IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        _ => endPoint?.ToString() ?? "",
    };
}
