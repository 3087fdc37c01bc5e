using Confluent.Kafka;

namespace Mesh.Messaging.Consuming;

/// <summary>What the consumer service does when librdkafka reports a rebalance or a fatal error (all on the poll thread).</summary>
internal sealed record ConsumerCallbacks(
    Action<List<TopicPartition>> Assigned,
    Action<IConsumer<string, byte[]>, List<TopicPartitionOffset>> Revoked,
    Action<IConsumer<string, byte[]>, List<TopicPartitionOffset>> Lost,
    Action Fatal);
