namespace Mesh.Contracts;

/// <summary>One Kafka ACL that allows <see cref="Principal"/> (a service's workload name) an operation on a literal resource.</summary>
public sealed record KafkaAcl(string Principal, string Operation, string ResourceType, string Name);
