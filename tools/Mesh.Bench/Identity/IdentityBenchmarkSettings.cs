namespace Mesh.Bench.Identity;

public sealed record IdentityBenchmarkSettings(
    string Redis, string GatewayDll, string OrdersDll, TimeSpan Phase, int Rounds, int Concurrency);
