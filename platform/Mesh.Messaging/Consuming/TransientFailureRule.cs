namespace Mesh.Messaging.Consuming;

/// <summary>A service's own rule for transient failures, added with <see cref="KafkaEventsBuilder.TreatAsTransient(Func{Exception, bool})"/>.</summary>
internal sealed record TransientFailureRule(Func<Exception, bool> IsTransient);
