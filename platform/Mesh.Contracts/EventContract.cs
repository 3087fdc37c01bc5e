using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Mesh.Contracts;

/// <summary>How one event type travels: its topic, its partition key and its protobuf descriptor.</summary>
public sealed record EventContract(
    MessageDescriptor Descriptor,
    string Topic,
    int Partitions,
    Func<IMessage, string> PartitionKey)
{
    /// <summary>The value of the message type header, e.g. <c>mesh.events.v1.OrderPlaced</c>.</summary>
    public string MessageType => Descriptor.FullName;

    /// <summary>The service that produces the event and owns its topic (<c>mesh.&lt;producer&gt;.…</c>).</summary>
    public string Producer => Topic.Split('.')[1];
}
