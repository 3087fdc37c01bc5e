using Mesh.Testing;

namespace Mesh.QuotaTests.Infrastructure;

/// <summary>The sidecar as its own process over a real redis-server, with a few Envoy-style policies.</summary>
public sealed class SidecarHost : IAsyncLifetime
{
    public const int DefaultCapacity = 3;
    public const int PerAddressCapacity = 5;
    public const int PlaceOrderCapacity = 2;

    private readonly RedisServerFixture _redis = new();

    public ServiceProcess Sidecar { get; private set; } = null!;

    public string RedisConnection => _redis.ConnectionString;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        Sidecar = await ServiceProcess.StartServingAsync(BuildOutputs.Sidecar, new Dictionary<string, string>(SidecarApps.Environment)
        {
            ["Redis__Configuration"] = _redis.ConnectionString,
            // Decisions are counted exactly: a fresh process's first script slower than the default
            // 500 ms on a loaded machine would fail open instead.
            ["Quotas__Breaker__Timeout"] = "00:00:10",
            ["Quotas__Default__Capacity"] = $"{DefaultCapacity}",
            ["Quotas__Default__RefillPerSecond"] = "0.01",
            ["Quotas__Policies__per-address__Match__domain"] = "edge",
            ["Quotas__Policies__per-address__Match__remote_address"] = "*",
            ["Quotas__Policies__per-address__By__0"] = "remote_address",
            ["Quotas__Policies__per-address__Capacity"] = $"{PerAddressCapacity}",
            ["Quotas__Policies__per-address__RequestsPerUnit"] = "36",
            ["Quotas__Policies__per-address__Unit"] = "hour",
            ["Quotas__Policies__login__Match__domain"] = "edge",
            ["Quotas__Policies__login__Match__path"] = "/login",
            ["Quotas__Policies__login__By__0"] = "path",
            ["Quotas__Policies__login__RequestsPerUnit"] = "2",
            ["Quotas__Policies__login__Unit"] = "minute",
            ["Quotas__Policies__place-order__Match__domain"] = "grpc",
            ["Quotas__Policies__place-order__Match__method"] = "/mesh.v1.Orders/PlaceOrder",
            ["Quotas__Policies__place-order__By__0"] = "user",
            ["Quotas__Policies__place-order__Capacity"] = $"{PlaceOrderCapacity}",
            ["Quotas__Policies__place-order__RefillPerSecond"] = "0.01",
        });
    }

    public async Task DisposeAsync()
    {
        if (Sidecar is not null)
        {
            await Sidecar.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }
}
