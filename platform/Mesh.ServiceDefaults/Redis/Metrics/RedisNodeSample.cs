namespace Mesh.ServiceDefaults.Redis.Metrics;

/// <summary>The last poll of one Redis node: its INFO, and its key counts per family when a census pass completed.</summary>
public sealed record RedisNodeSample(string Address, int? Port, RedisInfo Info, IReadOnlyDictionary<string, long>? KeysByFamily);
