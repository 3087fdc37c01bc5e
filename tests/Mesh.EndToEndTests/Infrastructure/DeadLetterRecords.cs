using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// Dead letters as a consumer of the mesh writes them: the original key, value and headers plus
/// the <c>mesh-dlq-*</c> headers. The names are the documented contract
/// (platform/Mesh.Messaging/README.md, "Dead-letter headers"), written out here rather than taken
/// from the library, as <see cref="PoisonRecordTests"/> does, so a renamed header fails the tests.
/// </summary>
public static class DeadLetterRecords
{
    public const string MessageType = "message-type";
    public const string Reason = "mesh-dlq-reason";
    public const string ErrorType = "mesh-dlq-error-type";
    public const string ErrorMessage = "mesh-dlq-error-message";
    public const string Attempts = "mesh-dlq-attempts";
    public const string SourceTopic = "mesh-dlq-source-topic";
    public const string SourcePartition = "mesh-dlq-source-partition";
    public const string SourceOffset = "mesh-dlq-source-offset";
    public const string SourceTimestamp = "mesh-dlq-source-timestamp";
    public const string ConsumerGroup = "mesh-dlq-consumer-group";
    public const string Time = "mesh-dlq-time";
    public const string ValueDropped = "mesh-dlq-value-dropped";
    public const string RedrivenFrom = "mesh-redriven-from";
    public const string RedriveTime = "mesh-redrive-time";
    public const string TraceParent = "traceparent";

    /// <summary>The dead letter a handler that failed <paramref name="attempts"/> times makes of a source record.</summary>
    public static Message<string, byte[]> HandlerFailed(
        string key, byte[] value, string messageType, string sourceTopic, int sourcePartition, long sourceOffset, string group, int attempts = 10) =>
        Build(key, value, messageType, sourceTopic, sourcePartition, sourceOffset, group, "handler-failed", attempts,
            ("System.InvalidOperationException", "the handler failed"));

    /// <summary>The dead letter of a value that does not parse as its message type.</summary>
    public static Message<string, byte[]> Unparsable(string key, byte[] value, string messageType, string sourceTopic, int sourcePartition, long sourceOffset, string group) =>
        Build(key, value, messageType, sourceTopic, sourcePartition, sourceOffset, group, "unparsable", 0,
            ("Google.Protobuf.InvalidProtocolBufferException", "Protocol message contained an invalid tag (zero)."));

    /// <summary>
    /// The dead letter <paramref name="group"/> makes of a real record of the mesh when its handler
    /// keeps failing: the record's own key, value and headers (message-type, trace context) plus
    /// the dead-letter headers.
    /// </summary>
    public static Message<string, byte[]> HandlerFailed(ConsumeResult<string, byte[]> source, string group)
    {
        var letter = Build(source.Message.Key, source.Message.Value, null, source.Topic, source.Partition.Value, source.Offset.Value, group,
            "handler-failed", 10, ("System.InvalidOperationException", "the handler failed"));
        var headers = new Headers();
        foreach (var header in source.Message.Headers.Concat(letter.Headers))
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        letter.Headers = headers;
        return letter;
    }

    public static string Header(Message<string, byte[]> message, string name) =>
        message.Headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : "";

    // A null message type: the original headers are added by the caller.
    private static Message<string, byte[]> Build(
        string key, byte[] value, string? messageType, string sourceTopic, int sourcePartition, long sourceOffset, string group,
        string reason, int attempts, (string Type, string Message) error)
    {
        var now = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var headers = new Headers();
        if (messageType is not null)
        {
            Add(headers, MessageType, messageType);
            Add(headers, TraceParent, $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01");
        }

        Add(headers, Reason, reason);
        Add(headers, ErrorType, error.Type);
        Add(headers, ErrorMessage, error.Message);
        Add(headers, Attempts, attempts.ToString(CultureInfo.InvariantCulture));
        Add(headers, SourceTopic, sourceTopic);
        Add(headers, SourcePartition, sourcePartition.ToString(CultureInfo.InvariantCulture));
        Add(headers, SourceOffset, sourceOffset.ToString(CultureInfo.InvariantCulture));
        Add(headers, SourceTimestamp, now);
        Add(headers, ConsumerGroup, group);
        Add(headers, Time, now);
        return new Message<string, byte[]> { Key = key, Value = value, Headers = headers };
    }

    private static void Add(Headers headers, string name, string value) => headers.Add(name, Encoding.UTF8.GetBytes(value));
}
