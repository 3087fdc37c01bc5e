namespace Mesh.Messaging;

/// <summary>
/// Thrown by a handler to say that the record can never be applied, whatever is retried: it names
/// no aggregate, contradicts what it refers to, and so on. The consumer dead-letters it at once
/// (reason <see cref="DeadLetterHeaders.ReasonRejected"/>) instead of retrying it, so its key moves
/// on. Found also inside an <see cref="AggregateException"/> or as an inner exception.
/// </summary>
public sealed class EventRejectedException : Exception
{
    public EventRejectedException(string message)
        : base(message)
    {
    }

    public EventRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
