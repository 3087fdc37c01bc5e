using System.Text.Json;

namespace Mesh.Messaging.Telemetry;

/// <summary>
/// What Mesh reads from one librdkafka statistics report (<c>statistics.interval.ms</c>): which
/// brokers are up, whether the client is trying to reach any, and the lag of each partition the
/// consumer owns. See librdkafka's STATISTICS.md.
/// </summary>
internal sealed record KafkaStatistics(int BrokersUp, bool AnyConnectionUp, bool Connecting, IReadOnlyList<PartitionLag> Lags)
{
    public static KafkaStatistics Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var (brokersUp, anyUp, connecting) = (0, false, false);
        if (root.TryGetProperty("brokers", out var brokers))
        {
            foreach (var broker in brokers.EnumerateObject().Select(b => b.Value))
            {
                // Logical brokers (e.g. the group coordinator alias) duplicate a real one.
                if (broker.TryGetProperty("source", out var source) && source.GetString() == "logical")
                {
                    continue;
                }

                var state = broker.GetProperty("state").GetString();
                if (state == "UP")
                {
                    anyUp = true;
                    brokersUp += broker.GetProperty("nodeid").GetInt32() >= 0 ? 1 : 0; // bootstrap entries are -1
                }
                else if (state != "INIT")
                {
                    connecting = true; // INIT: never needed (sparse connections), not unreachable
                }
            }
        }

        return new KafkaStatistics(brokersUp, anyUp, connecting, ReadLags(root));
    }

    private static List<PartitionLag> ReadLags(JsonElement root)
    {
        var lags = new List<PartitionLag>();
        if (!root.TryGetProperty("topics", out var topics))
        {
            return lags;
        }

        foreach (var topic in topics.EnumerateObject())
        {
            foreach (var partition in topic.Value.GetProperty("partitions").EnumerateObject().Select(p => p.Value))
            {
                var id = partition.GetProperty("partition").GetInt32();
                if (id < 0 || !partition.TryGetProperty("desired", out var desired) || !desired.GetBoolean())
                {
                    continue; // -1 is librdkafka's internal unassigned partition; undesired ones are not ours
                }

                var high = partition.GetProperty("hi_offset").GetInt64();
                var committed = partition.GetProperty("committed_offset").GetInt64();
                var low = partition.GetProperty("lo_offset").GetInt64();
                // librdkafka's own consumer_lag is -1 until the group commits; with nothing
                // committed, a consumer that starts from the earliest offset lags by the whole log.
                var from = committed >= 0 ? committed : low;
                if (high >= 0 && from >= 0)
                {
                    lags.Add(new PartitionLag(topic.Name, id, Math.Max(0, high - from)));
                }
            }
        }

        return lags;
    }
}

/// <summary>Records of a partition the group has not committed yet.</summary>
internal sealed record PartitionLag(string Topic, int Partition, long Lag);
