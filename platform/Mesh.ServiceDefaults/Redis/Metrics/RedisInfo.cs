using System.Globalization;

namespace Mesh.ServiceDefaults.Redis.Metrics;

/// <summary>
/// What one Redis node's <c>INFO</c> says about its memory, keys and clients. Fields a server does
/// not report (an older version, a managed Redis that hides some) read as absent, not as zero.
/// </summary>
public sealed class RedisInfo
{
    private readonly Dictionary<string, string> _fields;

    private RedisInfo(Dictionary<string, string> fields, long keys, long expiringKeys)
    {
        _fields = fields;
        Keys = keys;
        ExpiringKeys = expiringKeys;
    }

    public long? UsedMemory => Long("used_memory");

    /// <summary>0 when no limit is set.</summary>
    public long? MaxMemory => Long("maxmemory");

    public string? MaxMemoryPolicy => _fields.GetValueOrDefault("maxmemory_policy");

    public double? FragmentationRatio => Double("mem_fragmentation_ratio");

    public long? EvictedKeys => Long("evicted_keys");

    public long? ExpiredKeys => Long("expired_keys");

    public long? KeyspaceHits => Long("keyspace_hits");

    public long? KeyspaceMisses => Long("keyspace_misses");

    public long? ConnectedClients => Long("connected_clients");

    /// <summary>Commands refused for lack of memory since the server started (<c>errorstat_OOM</c>, Redis 6.2 and later; 0 when none was).</summary>
    public long? OutOfMemoryErrors => _fields.TryGetValue("errorstat_OOM", out var stat)
        ? Count(stat, "count")
        : _fields.ContainsKey("total_error_replies") ? 0 : null;

    /// <summary>Keys of every database (<c># Keyspace</c>).</summary>
    public long Keys { get; }

    /// <summary>Keys that have a TTL; the rest stay until something deletes them.</summary>
    public long ExpiringKeys { get; }

    /// <summary>Parses the text of <c>INFO</c>: <c>field:value</c> lines under <c># Section</c> headers.</summary>
    public static RedisInfo Parse(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        long keys = 0, expiring = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line.Length == 0 || line[0] == '#' || colon <= 0)
            {
                continue;
            }

            var (name, value) = (line[..colon], line[(colon + 1)..]);
            fields[name] = value;
            // db0:keys=12,expires=3,avg_ttl=0,...
            if (name.StartsWith("db", StringComparison.Ordinal) && name.Length > 2 && name[2..].All(char.IsAsciiDigit))
            {
                keys += Count(value, "keys") ?? 0;
                expiring += Count(value, "expires") ?? 0;
            }
        }

        return new RedisInfo(fields, keys, expiring);
    }

    private long? Long(string name) =>
        _fields.TryGetValue(name, out var value) && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;

    private double? Double(string name) =>
        _fields.TryGetValue(name, out var value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;

    // "keys=12,expires=3" -> 12 for "keys".
    private static long? Count(string value, string name)
    {
        foreach (var part in value.Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part.AsSpan(0, equals).SequenceEqual(name)
                && long.TryParse(part.AsSpan(equals + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }
        }

        return null;
    }
}
