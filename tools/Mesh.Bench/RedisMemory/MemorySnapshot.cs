namespace Mesh.Bench.RedisMemory;

/// <summary>
/// Redis at one moment: <c>used_memory</c>, every key, the keys per family (<c>RedisKeyFamilies</c>)
/// with the average <c>MEMORY USAGE</c> of a sample of each family's keys, and the members of the
/// two collections that grow inside one key: the credit events the user service counted, and the
/// orders queued for settlement.
/// </summary>
public sealed record MemorySnapshot(
    long UsedMemory,
    long Keys,
    IReadOnlyDictionary<string, long> KeysByFamily,
    IReadOnlyDictionary<string, double> BytesPerKey,
    long CountedEvents,
    long QueuedSettlements);
