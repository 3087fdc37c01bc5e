using Mesh.DevBroker;

namespace Mesh.Bench.Events;

/// <summary>
/// A fresh dev broker (librdkafka's mock cluster, in this process, as tests run it) with the
/// OrderPlaced topic only. Every phase gets its own, so no phase reads or grows another's log;
/// the mock keeps at most about 5 MiB per partition.
/// </summary>
public sealed class BenchBroker : IDisposable
{
    private readonly MockKafkaCluster _cluster = new();

    public BenchBroker()
    {
        _cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        _cluster.CreateTopic(BenchEvents.Contract.Topic, BenchEvents.Contract.Partitions);
    }

    public string Bootstrap => _cluster.Bootstrap;

    public void Dispose() => _cluster.Dispose();
}
