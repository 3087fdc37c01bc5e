using Grpc.Core;

namespace Mesh.Bench.RedisMemory;

/// <summary>A registered user of the benchmark and the bearer token of its session.</summary>
public sealed record BenchUser(string Email, string UserId, string Token)
{
    public Metadata Headers => new() { { "authorization", $"Bearer {Token}" } };
}
