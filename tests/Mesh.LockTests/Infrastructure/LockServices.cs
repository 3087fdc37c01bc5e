using Mesh.Locks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Mesh.LockTests.Infrastructure;

/// <summary>The lock library wired through <see cref="LockExtensions.AddDistributedLocks"/>, as a service wires it.</summary>
public sealed class LockServices : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private LockServices(ServiceProvider provider)
    {
        _provider = provider;
    }

    public ILockManager Locks => _provider.GetRequiredService<ILockManager>();

    public ILockBackend Backend => _provider.GetRequiredService<ILockBackend>();

    /// <summary>Single-instance locks on <paramref name="redis"/> (the process's own connection).</summary>
    public static async Task<LockServices> SingleAsync(string redis, params (string Key, string Value)[] settings)
    {
        var connection = ConfigurationOptions.Parse(redis);
        connection.AbortOnConnectFail = false;
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(connection);
        return Build(settings, services => services.AddSingleton<IConnectionMultiplexer>(multiplexer));
    }

    /// <summary>Redlock over <paramref name="masters"/>.</summary>
    public static LockServices Redlock(IReadOnlyList<string> masters, params (string Key, string Value)[] settings) =>
        Build([.. settings, .. masters.Select((m, i) => ($"Locks:Masters:{i}", m))], _ => { });

    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    private static LockServices Build(IEnumerable<(string Key, string Value)> settings, Action<IServiceCollection> configure)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection().AddLogging();
        configure(services);
        services.AddDistributedLocks(configuration);
        return new LockServices(services.BuildServiceProvider(validateScopes: true));
    }
}
