using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Mesh.Contracts;

/// <summary>How one event type travels: its topic, its partition key and its protobuf descriptor.</summary>
public sealed record EventContract(
    MessageDescriptor Descriptor,
    string Topic,
    int Partitions,
    Func<IMessage, string> PartitionKey)
{
    /// <summary>The field every event carries: when it happened, set once by its producer.</summary>
    public const string OccurredAtField = "occurred_at";

    /// <summary>The value of the message type header, e.g. <c>mesh.events.v1.OrderPlaced</c>.</summary>
    public string MessageType => Descriptor.FullName;

    /// <summary>The service that produces the event and owns its topic (<c>mesh.&lt;producer&gt;.…</c>).</summary>
    public string Producer => Topic.Split('.')[1];

    /// <summary>
    /// The event's <c>occurred_at</c>: its event time, the same in every copy of the event (a
    /// republished event keeps it), unlike the Kafka record's timestamp. Null when unset.
    /// </summary>
    public DateTimeOffset? OccurredAt(IMessage @event) =>
        Descriptor.FindFieldByName(OccurredAtField)?.Accessor.GetValue(@event) is Timestamp { Seconds: > 0 } at
            ? at.ToDateTimeOffset()
            : null;
}
