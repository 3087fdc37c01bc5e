using System.Collections.Immutable;
using System.Diagnostics.Metrics;

namespace Mesh.ServiceDefaults.Redis.Metrics;

/// <summary>
/// The instruments of meter <c>Mesh.Redis</c>, read from the latest poll of each master node
/// (tagged <c>server.address</c> and <c>server.port</c>): observable, so exporting costs Redis
/// nothing, and a node that could not be polled reports nothing rather than stale values. Counters
/// are Redis's own totals since it started; rates and the hit ratio are derived by the backend.
/// </summary>
public sealed class RedisMetrics
{
    public const string MeterName = "Mesh.Redis";

    private ImmutableDictionary<string, RedisNodeSample> _nodes = ImmutableDictionary<string, RedisNodeSample>.Empty;

    public RedisMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("mesh.redis.memory.used", () => Observe<long>(i => i.UsedMemory), "By",
            "Memory Redis has allocated for data and its own structures (used_memory).");
        meter.CreateObservableGauge("mesh.redis.memory.max", ObserveMaxMemory, "By",
            "The maxmemory limit (0: none), tagged with redis.maxmemory_policy; writes are refused beyond it under noeviction.");
        meter.CreateObservableGauge("mesh.redis.memory.fragmentation_ratio", () => Observe<double>(i => i.FragmentationRatio), "1",
            "Resident memory over used memory (mem_fragmentation_ratio).");
        meter.CreateObservableCounter("mesh.redis.keys.evicted", () => Observe<long>(i => i.EvictedKeys), "{key}",
            "Keys Redis evicted to stay under maxmemory since it started; must stay 0 for the mesh.");
        meter.CreateObservableCounter("mesh.redis.keys.expired", () => Observe<long>(i => i.ExpiredKeys), "{key}",
            "Keys removed because their TTL ran out, since Redis started.");
        meter.CreateObservableCounter("mesh.redis.keyspace.hits", () => Observe<long>(i => i.KeyspaceHits), "{lookup}",
            "Key lookups that found the key, since Redis started.");
        meter.CreateObservableCounter("mesh.redis.keyspace.misses", () => Observe<long>(i => i.KeyspaceMisses), "{lookup}",
            "Key lookups that did not find the key, since Redis started.");
        meter.CreateObservableCounter("mesh.redis.commands.out_of_memory", () => Observe<long>(i => i.OutOfMemoryErrors), "{command}",
            "Commands Redis refused because it was at maxmemory (errorstat_OOM), from any client, since it started.");
        meter.CreateObservableGauge("mesh.redis.clients.connected", () => Observe<long>(i => i.ConnectedClients), "{connection}",
            "Client connections to the node, from every process.");
        meter.CreateObservableGauge("mesh.redis.keyspace.keys", () => Observe<long>(i => i.Keys), "{key}",
            "Keys on the node, of every owner.");
        meter.CreateObservableGauge("mesh.redis.keyspace.expiring", () => Observe<long>(i => i.ExpiringKeys), "{key}",
            "Keys on the node that have a TTL; the others stay until deleted.");
        meter.CreateObservableGauge("mesh.redis.keys", ObserveFamilies, "{key}",
            "This service's keys per family (redis.key.family, a key pattern), from the last complete SCAN pass over the node.");
    }

    public void Record(RedisNodeSample sample) =>
        ImmutableInterlocked.Update(ref _nodes, nodes => nodes.SetItem(Key(sample.Address, sample.Port), sample));

    /// <summary>Stops reporting a node: it could not be polled, or it is no longer a master.</summary>
    public void Forget(string address, int? port) =>
        ImmutableInterlocked.Update(ref _nodes, nodes => nodes.Remove(Key(address, port)));

    /// <summary>Keeps only the nodes in <paramref name="keep"/> (address:port).</summary>
    public void Retain(IReadOnlySet<string> keep) =>
        ImmutableInterlocked.Update(ref _nodes, nodes => nodes.RemoveRange(nodes.Keys.Where(k => !keep.Contains(k))));

    public static string Key(string address, int? port) => port is { } p ? $"{address}:{p}" : address;

    private IEnumerable<Measurement<T>> Observe<T>(Func<RedisInfo, T?> read)
        where T : struct =>
        _nodes.Values
            .Select(node => (node, value: read(node.Info)))
            .Where(n => n.value.HasValue)
            .Select(n => new Measurement<T>(n.value!.Value, Server(n.node)));

    private IEnumerable<Measurement<long>> ObserveMaxMemory() =>
        _nodes.Values
            .Where(node => node.Info.MaxMemory.HasValue)
            .Select(node => new Measurement<long>(node.Info.MaxMemory!.Value,
                Server(node, new KeyValuePair<string, object?>("redis.maxmemory_policy", node.Info.MaxMemoryPolicy ?? "unknown"))));

    private IEnumerable<Measurement<long>> ObserveFamilies() =>
        _nodes.Values
            .Where(node => node.KeysByFamily is not null)
            .SelectMany(node => node.KeysByFamily!.Select(family =>
                new Measurement<long>(family.Value, Server(node, new KeyValuePair<string, object?>("redis.key.family", family.Key)))));

    private static KeyValuePair<string, object?>[] Server(RedisNodeSample node, KeyValuePair<string, object?>? extra = null)
    {
        var tags = new List<KeyValuePair<string, object?>> { new("server.address", node.Address) };
        if (node.Port is { } port)
        {
            tags.Add(new("server.port", port));
        }

        if (extra is { } tag)
        {
            tags.Add(tag);
        }

        return [.. tags];
    }
}
