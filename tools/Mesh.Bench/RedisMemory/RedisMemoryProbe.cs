using System.Globalization;
using Mesh.Contracts.V1;
using Mesh.ServiceDefaults.Redis;
using Mesh.ServiceDefaults.Redis.Metrics;
using StackExchange.Redis;

namespace Mesh.Bench.RedisMemory;

/// <summary>
/// Looks at the benchmark's Redis as its operator would (every key, INFO): memory and keys per
/// family, and whether the saga has settled every order placed.
/// </summary>
public sealed class RedisMemoryProbe : IAsyncDisposable
{
    private const string Other = "(no family)";
    private const string CountedEventsKey = "users:{views}:live:counted";
    private const string SettlementQueueKey = "orders:{settlement}:due";
    private const int SamplesPerFamily = 20;

    private readonly ConnectionMultiplexer _redis;

    private RedisMemoryProbe(ConnectionMultiplexer redis) => _redis = redis;

    public static async Task<RedisMemoryProbe> ConnectAsync(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AllowAdmin = true; // INFO
        return new RedisMemoryProbe(await ConnectionMultiplexer.ConnectAsync(options));
    }

    private IServer Server => _redis.GetServer(_redis.GetEndPoints()[0]);

    public async Task<MemorySnapshot> MeasureAsync()
    {
        // SCAN first: it deletes the expired keys it meets, so INFO then counts no memory of a key
        // whose TTL ran out but that Redis's background expiry has not reached yet.
        var byFamily = RedisKeyFamilies.All.Select(f => f.Pattern).Append(Other).Distinct().ToDictionary(p => p, _ => 0L);
        var samples = byFamily.Keys.ToDictionary(f => f, _ => new List<RedisKey>());
        long keys = 0;
        await foreach (var key in Server.KeysAsync(pageSize: 1000))
        {
            keys++;
            var family = RedisKeyFamilies.Classify(RedisKeyFamilies.All, key.ToString())?.Pattern ?? Other;
            byFamily[family]++;
            if (samples[family].Count < SamplesPerFamily)
            {
                samples[family].Add(key);
            }
        }

        var info = RedisInfo.Parse(await Server.InfoRawAsync("memory") ?? "");
        var db = _redis.GetDatabase();
        var bytesPerKey = new Dictionary<string, double>();
        foreach (var (family, sampled) in samples.Where(s => s.Value.Count > 0))
        {
            // SAMPLES 0: every element of a collection, not an estimate from five.
            var sizes = await Task.WhenAll(sampled.Select(k => db.ExecuteAsync("MEMORY", "USAGE", k, "SAMPLES", 0)));
            bytesPerKey[family] = sizes.Where(r => !r.IsNull).Select(r => (double)(long)r).DefaultIfEmpty(0).Average();
        }

        return new MemorySnapshot(info.UsedMemory ?? 0, keys, byFamily, bytesPerKey,
            await db.SortedSetLengthAsync(CountedEventsKey), await db.SortedSetLengthAsync(SettlementQueueKey));
    }

    /// <summary>
    /// How many of the orders of <paramref name="userIds"/> have a final status in the order
    /// view and a notification, the smaller of the two, and how many orders are still queued for
    /// settlement.
    /// </summary>
    public async Task<(long Settled, long Queued)> SettledAsync(IReadOnlyList<string> userIds)
    {
        var db = _redis.GetDatabase();
        var statuses = userIds.Select(u => db.HashLengthAsync($"orders:{{{u}}}:status")).ToList();
        var notifications = userIds.Select(u => db.HashLengthAsync($"notifications:{{{u}}}:items")).ToList();
        var queued = db.SortedSetLengthAsync(SettlementQueueKey);
        var settled = Math.Min((await Task.WhenAll(statuses)).Sum(), (await Task.WhenAll(notifications)).Sum());
        return (settled, await queued);
    }

    /// <summary>Final statuses in the order views ("status|reason"), by status.</summary>
    public async Task<IReadOnlyDictionary<OrderStatus, long>> OutcomesAsync(IReadOnlyList<string> userIds)
    {
        var db = _redis.GetDatabase();
        var values = await Task.WhenAll(userIds.Select(u => db.HashValuesAsync($"orders:{{{u}}}:status")));
        return values.SelectMany(v => v)
            .GroupBy(v => (OrderStatus)int.Parse(((string)v!).Split('|')[0], CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => (long)g.Count());
    }

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}
