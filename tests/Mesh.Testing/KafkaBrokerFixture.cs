using Mesh.Contracts;
using Mesh.DevBroker;
using Xunit;

namespace Mesh.Testing;

/// <summary>
/// An in-process, in-memory Kafka cluster (librdkafka's mock cluster, the same as the dev
/// broker) with every topic of <see cref="EventContracts.All"/> and its dead-letter topic
/// (<see cref="Topics.DeadLetter"/>, same partition count). Nothing outlives the fixture.
/// A new consumer group is balanced at once instead of after the usual 3 s; a group whose last
/// member left makes the next joiner wait the old member's session.timeout.ms minus 1 s (a mock
/// quirk), so tests that restart a consumer set a short session timeout.
/// </summary>
public sealed class KafkaBrokerFixture : IAsyncLifetime, IDisposable
{
    private MockKafkaCluster? _cluster;

    /// <summary>The cluster itself, for fault injection (brokers down, request errors).</summary>
    public MockKafkaCluster Cluster => _cluster ?? throw new InvalidOperationException("The Kafka fixture is not started.");

    public string BootstrapServers => Cluster.Bootstrap;

    public void CreateTopic(string name, int partitions) => Cluster.CreateTopic(name, partitions);

    public Task InitializeAsync()
    {
        _cluster = new MockKafkaCluster();
        _cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        foreach (var contract in EventContracts.All)
        {
            _cluster.CreateTopic(contract.Topic, contract.Partitions);
            _cluster.CreateTopic(Topics.DeadLetter(contract.Topic), contract.Partitions);
        }

        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => Interlocked.Exchange(ref _cluster, null)?.Dispose();
}
