namespace Mesh.Messaging;

/// <summary>
/// Headers a consumer adds to a record it dead-letters to <c>&lt;topic&gt;.dlq</c>, next to the
/// original record's key, value and headers (message-type, traceparent, ...). Values are UTF-8
/// text; numbers in invariant culture, times in ISO 8601 UTC.
/// </summary>
public static class DeadLetterHeaders
{
    /// <summary>Why: one of the <c>Reason*</c> values below.</summary>
    public const string Reason = "mesh-dlq-reason";

    /// <summary>The exception type (full name) of the last failure, when there was one.</summary>
    public const string ErrorType = "mesh-dlq-error-type";

    /// <summary>The exception message of the last failure, or what was wrong with the record.</summary>
    public const string ErrorMessage = "mesh-dlq-error-message";

    /// <summary>Handler attempts made; 0 when the record never reached a handler.</summary>
    public const string Attempts = "mesh-dlq-attempts";

    public const string SourceTopic = "mesh-dlq-source-topic";

    public const string SourcePartition = "mesh-dlq-source-partition";

    public const string SourceOffset = "mesh-dlq-source-offset";

    /// <summary>The original record's timestamp, in ISO 8601 UTC (the dead letter gets its own).</summary>
    public const string SourceTimestamp = "mesh-dlq-source-timestamp";

    /// <summary>The consumer group that gave up, since several groups may dead-letter one record.</summary>
    public const string ConsumerGroup = "mesh-dlq-consumer-group";

    /// <summary>When the record was dead-lettered, in ISO 8601 UTC.</summary>
    public const string Time = "mesh-dlq-time";

    /// <summary>
    /// Present only when the broker or producer refused the dead letter for good (too large,
    /// invalid) and it was written without the original value, so that the partition moves on:
    /// the original value's size in bytes and the refusal, e.g. <c>1500 bytes; MsgSizeTooLarge:
    /// Broker: Message size too large</c>. The original stays readable at its source offset
    /// until retention removes it.
    /// </summary>
    public const string ValueDropped = "mesh-dlq-value-dropped";

    /// <summary>
    /// Set by <c>mesh dlq redrive</c> on a dead letter it produced back to its source topic:
    /// <c>&lt;dead-letter topic&gt;/&lt;partition&gt;/&lt;offset&gt;</c> of the dead letter. Kept if the
    /// redriven record is dead-lettered again, so its history shows.
    /// </summary>
    public const string RedrivenFrom = "mesh-redriven-from";

    /// <summary>When <c>mesh dlq redrive</c> produced the record back, in ISO 8601 UTC.</summary>
    public const string RedriveTime = "mesh-redrive-time";

    /// <summary>
    /// The handler failed <c>Kafka:HandlerRetry:MaxAttempts</c> times with exceptions that are
    /// neither transient nor a rejection (a bug, say).
    /// </summary>
    public const string ReasonHandlerFailed = "handler-failed";

    /// <summary>The handler threw <see cref="EventRejectedException"/>: the record can never be applied.</summary>
    public const string ReasonRejected = "rejected";

    /// <summary>The record has no message-type header.</summary>
    public const string ReasonMissingType = "missing-type";

    /// <summary>No handler of this consumer takes the record's message type.</summary>
    public const string ReasonUnknownType = "unknown-type";

    /// <summary>The payload is not a valid message of its declared type.</summary>
    public const string ReasonUnparsable = "unparsable";
}
