namespace Mesh.Messaging;

/// <summary>
/// The broker did not confirm that an event was persisted. When <see cref="PossiblyPersisted"/>
/// is true it may still have been written, so publishing it again can duplicate it (handlers are
/// idempotent for this reason).
/// </summary>
public sealed class EventPublishException : Exception
{
    public EventPublishException(string messageType, string topic, bool possiblyPersisted, string reason, Exception? innerException = null)
        : base($"Event {messageType} was not persisted to topic {topic}: {reason}", innerException)
    {
        MessageType = messageType;
        Topic = topic;
        PossiblyPersisted = possiblyPersisted;
    }

    public string MessageType { get; }

    public string Topic { get; }

    public bool PossiblyPersisted { get; }
}
