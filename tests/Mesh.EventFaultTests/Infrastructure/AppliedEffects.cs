using Mesh.EventFaultTests.Worker;
using StackExchange.Redis;

namespace Mesh.EventFaultTests.Infrastructure;

/// <summary>What the workers wrote to Redis, read back after (or during) a run.</summary>
public sealed record AppliedEffects(
    IReadOnlyDictionary<string, long> DeliveriesPerEvent,
    IReadOnlyDictionary<string, long> Totals,
    long Applied,
    long Duplicates,
    IReadOnlyDictionary<string, long> HandledBy)
{
    public long Deliveries => DeliveriesPerEvent.Values.Sum();

    public static async Task<long> AppliedCountAsync(IDatabase redis, EffectKeys keys) =>
        (long?)await redis.StringGetAsync(keys.Applied) ?? 0;

    public static async Task<long> HandledByAsync(IDatabase redis, EffectKeys keys, string worker) =>
        (long?)await redis.HashGetAsync(keys.HandledBy, worker) ?? 0;

    public static async Task<AppliedEffects> ReadAsync(IDatabase redis, EffectKeys keys) => new(
        await HashAsync(redis, keys.Deliveries),
        await HashAsync(redis, keys.Totals),
        await AppliedCountAsync(redis, keys),
        (long?)await redis.StringGetAsync(keys.Duplicates) ?? 0,
        await HashAsync(redis, keys.HandledBy));

    private static async Task<IReadOnlyDictionary<string, long>> HashAsync(IDatabase redis, string key) =>
        (await redis.HashGetAllAsync(key)).ToDictionary(e => (string)e.Name!, e => (long)e.Value);
}
