using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Mesh.Quotas.Configuration;

/// <summary>
/// The policy set in force. On every configuration change it binds and validates the section
/// afresh; a valid one is compiled and swapped in atomically, an invalid one is logged and the
/// last good set stays. It listens to the same change tokens as <see cref="IOptionsMonitor{T}"/>
/// but builds through the factory itself, because the monitor swallows a failed reload without
/// telling its listeners and throws on every later read.
/// </summary>
public sealed partial class QuotaPolicySource : IDisposable
{
    private readonly IOptionsFactory<QuotaOptions> _factory;
    private readonly ILogger<QuotaPolicySource> _logger;
    private readonly List<IDisposable> _subscriptions = [];
    private QuotaPolicySet _current;

    public QuotaPolicySource(
        IOptionsFactory<QuotaOptions> factory,
        IEnumerable<IOptionsChangeTokenSource<QuotaOptions>> sources,
        ILogger<QuotaPolicySource> logger)
    {
        _factory = factory;
        _logger = logger;
        _current = QuotaPolicySet.Compile(factory.Create(Options.DefaultName));
        foreach (var source in sources)
        {
            _subscriptions.Add(ChangeToken.OnChange(source.GetChangeToken, Reload));
        }
    }

    public QuotaPolicySet Current => Volatile.Read(ref _current);

    public void Dispose() => _subscriptions.ForEach(s => s.Dispose());

    private void Reload()
    {
        try
        {
            var next = QuotaPolicySet.Compile(_factory.Create(Options.DefaultName));
            Volatile.Write(ref _current, next);
            LogReloaded(next.Rules.Count);
        }
        catch (Exception exception) when (exception is OptionsValidationException or QuotaConfigurationException or InvalidOperationException)
        {
            LogRejected(exception, exception.Message);
        }
    }

    [LoggerMessage(LogLevel.Information, "Quota policies reloaded: {PolicyCount} policies besides the default.")]
    private partial void LogReloaded(int policyCount);

    [LoggerMessage(LogLevel.Error, "Quota policy reload refused, the last good policy set stays in force: {Reason}")]
    private partial void LogRejected(Exception exception, string reason);
}
