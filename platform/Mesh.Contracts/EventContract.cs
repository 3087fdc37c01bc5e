using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Mesh.Contracts;

/// <summary>
/// How one event type travels: its topic, its partition count and the field whose value is the
/// record key (the aggregate id). Plain data, so that docs and generators for other languages
/// (docs/asyncapi.yaml) can read it too.
/// </summary>
public sealed record EventContract(
    MessageDescriptor Descriptor,
    string Topic,
    int Partitions,
    string KeyField)
{
    /// <summary>The field every event carries: when it happened, set once by its producer.</summary>
    public const string OccurredAtField = "occurred_at";

    /// <summary>The field every event carries: its id, the same in every copy of the event.</summary>
    public const string EventIdField = "event_id";

    /// <summary>The value of the message type header, e.g. <c>mesh.events.v1.OrderPlaced</c>.</summary>
    public string MessageType => Descriptor.FullName;

    /// <summary>The service that produces the event and owns its topic (<c>mesh.&lt;producer&gt;.…</c>).</summary>
    public string Producer => Topic.Split('.')[1];

    /// <summary>The record key of <paramref name="event"/>: the value of its <see cref="KeyField"/>.</summary>
    public string PartitionKey(IMessage @event) =>
        (string)(Descriptor.FindFieldByName(KeyField)
            ?? throw new InvalidOperationException($"{MessageType} has no field '{KeyField}'.")).Accessor.GetValue(@event);

    /// <summary>
    /// The event's <c>occurred_at</c>: its event time, the same in every copy of the event (a
    /// republished event keeps it), unlike the Kafka record's timestamp. Null when unset.
    /// </summary>
    public DateTimeOffset? OccurredAt(IMessage @event) =>
        Descriptor.FindFieldByName(OccurredAtField)?.Accessor.GetValue(@event) is Timestamp { Seconds: > 0 } at
            ? at.ToDateTimeOffset()
            : null;
}
