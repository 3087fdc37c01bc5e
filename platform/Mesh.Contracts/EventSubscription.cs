namespace Mesh.Contracts;

/// <summary>One service's consumer group and the events it consumes.</summary>
public sealed record EventSubscription(string Service, string ConsumerGroup, IReadOnlyList<EventContract> Events);
