using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Mesh.ServiceDefaults.Redis.Metrics;

/// <summary>
/// Counts this process's keys per family (<see cref="RedisKeyFamily"/>) without ever walking the
/// whole key space at once: each poll continues one SCAN per master node from where the last poll
/// stopped, for at most <c>Redis:KeyScanBudget</c> keys (SCAN's COUNT, which bounds the work Redis
/// does per call), and a count is published only when a pass over the node is complete. A small
/// key space is counted afresh at every poll; a large one takes keys / budget polls per pass, at a
/// bounded cost per poll whatever its size. SCAN returns every key name (ACLs do not filter it), so
/// keys of other owners are skipped here; the service's ACL user needs only +@read. Counts are as
/// exact as SCAN: a key that lives through the whole pass is counted, and counted twice only if
/// Redis rehashed its table meanwhile.
/// </summary>
public sealed class RedisKeyCensus
{
    // Keys asked for per SCAN call: large enough to need few round trips, small enough that no
    // single call holds Redis for long.
    private const int PageSize = 1000;

    private readonly IReadOnlyList<RedisKeyFamily> _families;
    private readonly ConcurrentDictionary<string, Pass> _passes = new(StringComparer.Ordinal);

    public RedisKeyCensus(IEnumerable<RedisKeyFamily> families) => _families = [.. families];

    /// <summary>
    /// Scans on from where the last call left off on <paramref name="server"/>, visiting at most
    /// <paramref name="budget"/> keys; returns the counts of the latest complete pass (every family,
    /// zeros included), or null while the first pass is still running or no family is declared.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>?> AdvanceAsync(IServer server, int budget, CancellationToken cancellationToken)
    {
        if (_families.Count == 0 || budget <= 0)
        {
            return null;
        }

        var pass = _passes.GetOrAdd(server.EndPoint.ToString() ?? "", _ => new Pass(_families));
        while (budget > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(PageSize, budget);
            budget -= count;
            var reply = (RedisResult[])(await server.ExecuteAsync("SCAN", pass.Cursor, "COUNT", count))!;
            pass.Cursor = (string)reply[0]!;
            foreach (var key in (RedisResult[])reply[1]!)
            {
                pass.Count(RedisKeyFamilies.Classify(_families, (string)key!));
            }

            if (pass.Cursor == "0")
            {
                pass.Complete();
                break;
            }
        }

        return pass.Completed;
    }

    /// <summary>Drops what is known about servers not in <paramref name="endpoints"/> (a node left the cluster).</summary>
    public void Retain(IReadOnlySet<string> endpoints)
    {
        foreach (var endpoint in _passes.Keys.Where(e => !endpoints.Contains(e)))
        {
            _passes.TryRemove(endpoint, out _);
        }
    }

    private sealed class Pass(IReadOnlyList<RedisKeyFamily> families)
    {
        private Dictionary<string, long> _counting = Zeros(families);

        public string Cursor { get; set; } = "0";

        public IReadOnlyDictionary<string, long>? Completed { get; private set; }

        public void Count(RedisKeyFamily? family)
        {
            if (family is not null)
            {
                _counting[family.Pattern]++;
            }
        }

        public void Complete()
        {
            Completed = _counting;
            _counting = Zeros(families);
        }

        private static Dictionary<string, long> Zeros(IReadOnlyList<RedisKeyFamily> families) =>
            families.ToDictionary(f => f.Pattern, _ => 0L, StringComparer.Ordinal);
    }
}
