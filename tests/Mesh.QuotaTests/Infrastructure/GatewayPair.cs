using Grpc.Core;
using Mesh.Gateway.Extensions;
using Mesh.Gateway.Sessions;
using Mesh.Identity;
using Mesh.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Mesh.QuotaTests.Infrastructure;

/// <summary>
/// Two gateway processes over one redis-server, as a replica set would run them. Sessions are
/// written straight into Redis, so no user service is needed: the tests call ListSessions, which
/// the gateway answers itself after authentication and quotas.
/// </summary>
public sealed class GatewayPair : IAsyncLifetime
{
    public const int Capacity = 100;
    public const int RefillPerSecond = 40;
    public const int TenantCapacity = 6;

    private readonly RedisServerFixture _redis = new();
    private ServiceProvider? _sessions;

    public ServiceProcess First { get; private set; } = null!;

    public ServiceProcess Second { get; private set; } = null!;

    public string RedisConnection => _redis.ConnectionString;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        var environment = Environment(_redis.ConnectionString);
        var starting = new[] { ServiceProcess.StartServingAsync(BuildOutputs.Gateway, environment), ServiceProcess.StartServingAsync(BuildOutputs.Gateway, environment) };
        var gateways = await Task.WhenAll(starting);
        (First, Second) = (gateways[0], gateways[1]);
        var configuration = new ConfigurationBuilder().Build();
        _sessions = new ServiceCollection()
            .AddSingleton<IConnectionMultiplexer>(ConnectionMultiplexer.Connect(_redis.ConnectionString))
            .AddRedisSessions(configuration)
            .BuildServiceProvider();
    }

    public static Dictionary<string, string> Environment(string redis) => new(TestPki.Shared.EnvironmentFor(Workloads.Gateway))
    {
        ["Redis__Configuration"] = redis,
        ["Services__Users"] = "http://127.0.0.1:9",
        ["Services__Orders"] = "http://127.0.0.1:9",
        ["Services__Notifications"] = "http://127.0.0.1:9",
        ["Quotas__Default__Capacity"] = $"{Capacity}",
        ["Quotas__Default__RefillPerSecond"] = $"{RefillPerSecond}",
        // Never admit on a Redis hiccup here: the exactness test counts every admission.
        ["Quotas__FailureMode"] = "FailClosed",
        ["Quotas__Breaker__Timeout"] = "00:00:03",
        ["Quotas__Policies__tenant__Match__metadata.x-tenant"] = "*",
        ["Quotas__Policies__tenant__By__0"] = "metadata.x-tenant",
        ["Quotas__Policies__tenant__Capacity"] = $"{TenantCapacity}",
        ["Quotas__Policies__tenant__RefillPerSecond"] = "0.01",
        ["Quotas__Policies__tenant__Cost"] = "2",
    };

    /// <summary>A fresh user with a live session: the bearer metadata to call with.</summary>
    public async Task<Metadata> NewSessionAsync()
    {
        var grant = await _sessions!.GetRequiredService<ISessionStore>().CreateAsync($"user-{Guid.NewGuid():N}", "tests", CancellationToken.None);
        return new Metadata { { "authorization", $"Bearer {grant.Token}" } };
    }

    public async Task DisposeAsync()
    {
        if (_sessions is not null)
        {
            await _sessions.DisposeAsync();
        }

        foreach (var gateway in new[] { First, Second })
        {
            if (gateway is not null)
            {
                await gateway.DisposeAsync();
            }
        }

        await _redis.DisposeAsync();
    }
}
