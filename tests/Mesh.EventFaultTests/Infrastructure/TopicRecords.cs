using Mesh.Contracts.Events.V1;
using Mesh.Testing;

namespace Mesh.EventFaultTests.Infrastructure;

/// <summary>
/// Reads a topic from the start to its current end outside any group, to tell an event the
/// broker never stored (lost by the producer) from one stored but never applied (lost by the consumer).
/// </summary>
public static class TopicRecords
{
    public static IReadOnlyDictionary<string, int> CountEventIds(string bootstrap, string topic) =>
        new KafkaLog(bootstrap).ReadAll(topic)
            .GroupBy(record => OrderPlaced.Parser.ParseFrom(record.Message.Value).EventId)
            .ToDictionary(ids => ids.Key, ids => ids.Count());
}
