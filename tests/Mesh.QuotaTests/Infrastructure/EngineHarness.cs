using Mesh.Quotas;
using Mesh.Quotas.Configuration;
using Mesh.Quotas.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Mesh.QuotaTests.Infrastructure;

/// <summary>
/// The quota engine as a host would wire it, over a real Redis and an in-memory configuration
/// that a test may change and reload.
/// </summary>
public sealed class EngineHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private EngineHarness(ServiceProvider provider, IConfigurationRoot configuration, CollectingLoggerProvider logs)
    {
        _provider = provider;
        Configuration = configuration;
        Logs = logs;
    }

    public IConfigurationRoot Configuration { get; }

    public IQuotaEngine Engine => _provider.GetRequiredService<IQuotaEngine>();

    public QuotaPolicySource Policies => _provider.GetRequiredService<QuotaPolicySource>();

    public CollectingLoggerProvider Logs { get; }

    public IConnectionMultiplexer Redis => _provider.GetRequiredService<IConnectionMultiplexer>();

    public static EngineHarness Create(string redis, IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        var logs = new CollectingLoggerProvider();
        services.AddLogging(logging => logging.AddProvider(logs));
        services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(redis);
            options.AbortOnConnectFail = false;
            options.ConnectRetry = 1;
            options.ReconnectRetryPolicy = new LinearRetry(200);
            // The breaker's timeout decides when a slow Redis is given up on; the client's own 5 s
            // default failed a call of a 600-call burst on a loaded machine.
            options.AsyncTimeout = 30_000;
            return ConnectionMultiplexer.Connect(options);
        });
        services.AddQuotaEngine(configuration);
        return new EngineHarness(services.BuildServiceProvider(), configuration, logs);
    }

    /// <summary>Sets <paramref name="changes"/> (null removes) and raises the reload the way a changed file would.</summary>
    public void Reload(IDictionary<string, string?> changes)
    {
        foreach (var (key, value) in changes)
        {
            Configuration[key] = value;
        }

        Configuration.Reload();
    }

    public ValueTask<QuotaVerdict> DecideAsync(string scope, params (string Key, string Value)[] entries)
    {
        var charges = new List<QuotaCharge>();
        Policies.Current.Resolve(new QuotaDescriptor(scope, entries.Select(e => KeyValuePair.Create(e.Key, e.Value)).ToList()), 1, charges);
        return Engine.DecideAsync(charges, CancellationToken.None);
    }

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();
}
