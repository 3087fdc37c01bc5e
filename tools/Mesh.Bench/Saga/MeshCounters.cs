using System.Globalization;
using Confluent.Kafka;
using Mesh.Contracts;
using StackExchange.Redis;

namespace Mesh.Bench.Saga;

/// <summary>
/// What the mesh did, counted where an operator would count it: the calls of every Redis command
/// (INFO commandstats) and the records on every topic and its dead-letter twin (the partitions'
/// high watermarks). Two readings subtract to what happened in between.
/// </summary>
public sealed record MeshCounters(IReadOnlyDictionary<string, long> RedisCalls, IReadOnlyDictionary<string, long> Records)
{
    public static IEnumerable<string> Topics =>
        EventContracts.All.SelectMany(c => new[] { c.Topic, Mesh.Contracts.Topics.DeadLetter(c.Topic) });

    public static async Task<MeshCounters> ReadAsync(IServer redis, string bootstrap)
    {
        var text = await redis.InfoRawAsync("commandstats") ?? "";
        var calls = new Dictionary<string, long>();
        // cmdstat_evalsha:calls=12,usec=...,usec_per_call=...,rejected_calls=0,failed_calls=0
        foreach (var line in text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var name = line["cmdstat_".Length..line.IndexOf(':', StringComparison.Ordinal)];
            var field = line.Split(',')[0];
            calls[name] = long.Parse(field[(field.IndexOf('=', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
        }

        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "mesh-bench-saga-watermarks" })
            .SetLogHandler((_, _) => { }).Build();
        var records = new Dictionary<string, long>();
        foreach (var contract in EventContracts.All)
        {
            foreach (var topic in new[] { contract.Topic, Mesh.Contracts.Topics.DeadLetter(contract.Topic) })
            {
                records[topic] = Enumerable.Range(0, contract.Partitions)
                    .Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
            }
        }

        return new MeshCounters(calls, records);
    }

    public MeshCounters Minus(MeshCounters earlier) => new(
        RedisCalls.ToDictionary(c => c.Key, c => c.Value - earlier.RedisCalls.GetValueOrDefault(c.Key)),
        Records.ToDictionary(r => r.Key, r => r.Value - earlier.Records.GetValueOrDefault(r.Key)));

    public long TotalRedisCalls => RedisCalls.Values.Sum();

    public long TotalRecords => Records.Values.Sum();
}
