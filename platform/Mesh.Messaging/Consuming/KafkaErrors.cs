using Confluent.Kafka;

namespace Mesh.Messaging.Consuming;

internal static class KafkaErrors
{
    /// <summary>
    /// Errors that producing the same record again cannot cure: too large for the producer's
    /// <c>message.max.bytes</c> or the topic's <c>max.message.bytes</c> (librdkafka reports both as
    /// MsgSizeTooLarge), a batch above the broker's limit, or a record the broker rejects.
    /// </summary>
    public static bool RefusedForGood(ErrorCode code) =>
        code is ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidRecord;
}
