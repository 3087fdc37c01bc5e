namespace Mesh.Messaging.Consuming;

/// <summary>What a handler's exception says about retrying its record.</summary>
internal enum FailureKind
{
    /// <summary>Neither of the others, e.g. a bug: retried up to Kafka:HandlerRetry:MaxAttempts, then dead-lettered.</summary>
    Unclassified,

    /// <summary>A dependency is unreachable or timing out: retried for as long as it lasts, never dead-lettered.</summary>
    Transient,

    /// <summary><see cref="EventRejectedException"/>: dead-lettered at once.</summary>
    Rejected,
}
