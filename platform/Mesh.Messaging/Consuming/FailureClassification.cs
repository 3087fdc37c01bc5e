namespace Mesh.Messaging.Consuming;

/// <summary>The kind of a handler failure and the exception that decided it (the thrown one or one inside it).</summary>
internal readonly record struct FailureClassification(FailureKind Kind, Exception Cause);
