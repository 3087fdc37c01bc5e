namespace Mesh.Bench.Events;

public sealed record EventBenchmarkSettings(TimeSpan Phase, int Rounds, int InFlight, TimeSpan LatencyPhase, int ConsumeRecords, int ConsumeRounds);
