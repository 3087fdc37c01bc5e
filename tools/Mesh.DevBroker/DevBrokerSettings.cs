namespace Mesh.DevBroker;

/// <summary>What the command line asked for.</summary>
internal sealed record DevBrokerSettings(int Brokers, int? Partitions, string? BootstrapFile, TimeSpan InitialRebalanceDelay);
