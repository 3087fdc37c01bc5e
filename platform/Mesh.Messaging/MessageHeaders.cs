namespace Mesh.Messaging;

/// <summary>Kafka record header names that Mesh sets besides the W3C trace context.</summary>
public static class MessageHeaders
{
    /// <summary>The protobuf full name of the payload, e.g. <c>mesh.events.v1.OrderPlaced</c>.</summary>
    public const string MessageType = "message-type";
}
