namespace Mesh.Bench.RedisMemory;

/// <summary>What <c>redis-memory</c> runs: the Redis, the built services, and the traffic it places.</summary>
public sealed record RedisMemorySettings(
    string Redis,
    string GatewayDll,
    string UsersDll,
    string OrdersDll,
    string NotificationsDll,
    int Users,
    int Orders,
    int Concurrency);
