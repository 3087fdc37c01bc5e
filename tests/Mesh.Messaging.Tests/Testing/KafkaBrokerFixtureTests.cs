using Confluent.Kafka;
using Mesh.Contracts;
using Mesh.Testing;

namespace Mesh.Messaging.Tests.Testing;

public sealed class KafkaBrokerFixtureTests
{
    [Fact]
    public async Task InitializeAsync_Started_ServesEveryContractTopicItsDeadLetterTopicAndCreatedTopics()
    {
        using var kafka = new KafkaBrokerFixture();
        await kafka.InitializeAsync();
        kafka.CreateTopic("mesh.tests.extra", partitions: 2);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));

        foreach (var contract in EventContracts.All)
        {
            Assert.Equal(contract.Partitions, metadata.Topics.Single(t => t.Topic == contract.Topic).Partitions.Count);
            Assert.Equal(contract.Partitions, metadata.Topics.Single(t => t.Topic == Topics.DeadLetter(contract.Topic)).Partitions.Count);
        }

        Assert.Equal(2, metadata.Topics.Single(t => t.Topic == "mesh.tests.extra").Partitions.Count);
    }
}
