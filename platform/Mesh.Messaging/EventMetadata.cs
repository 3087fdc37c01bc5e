namespace Mesh.Messaging;

/// <summary>Where a consumed event came from.</summary>
public sealed record EventMetadata(string Topic, int Partition, long Offset, string Key, DateTimeOffset Timestamp);
