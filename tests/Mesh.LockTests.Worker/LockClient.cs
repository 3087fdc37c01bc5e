using Mesh.Locks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Mesh.LockTests.Worker;

/// <summary>The lock library wired as a service wires it, against one Redis given on the command line.</summary>
public sealed class LockClient : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private LockClient(ServiceProvider services)
    {
        _services = services;
    }

    public ILockManager Locks => _services.GetRequiredService<ILockManager>();

    public IDatabase Database => _services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

    public static async Task<LockClient> ConnectAsync(string redis)
    {
        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<IConnectionMultiplexer>(await ConnectionMultiplexer.ConnectAsync(redis))
            .AddDistributedLocks(new ConfigurationBuilder().Build());
        return new LockClient(services.BuildServiceProvider(validateScopes: true));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
