namespace Mesh.Bench.Quotas;

public sealed record QuotaBenchmarkSettings(string Redis, string GatewayDll, string SidecarDll, TimeSpan Phase, int Rounds, int Concurrency);
