using Google.Protobuf;
using Mesh.Samples.DotnetSubscriber.V1;
using Microsoft.Extensions.Options;

namespace Mesh.Samples.DotnetSubscriber;

/// <summary>
/// The orders recorded so far, by event id, and the JSON-lines file that holds them. Delivery is at
/// least once, so the event id decides: an id already in the file is not written again. A real
/// service stores the id in the same transaction as the change the event caused.
/// </summary>
public sealed class SeenOrders : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _eventIds;
    private readonly SubscriberOptions _options;
    private readonly IHostApplicationLifetime _lifetime;

    public SeenOrders(IOptions<SubscriberOptions> options, IHostApplicationLifetime lifetime)
    {
        _options = options.Value;
        _lifetime = lifetime;
        _eventIds = File.Exists(_options.OutputFile)
            ? [.. File.ReadLines(_options.OutputFile).Where(l => l.Length > 0).Select(l => SeenOrder.Parser.ParseJson(l).Event.EventId)]
            : [];
    }

    /// <summary>Appends <paramref name="record"/> unless its event was recorded before; true if it was new.</summary>
    public async Task<bool> AddAsync(string eventId, SeenOrder record, CancellationToken cancellationToken)
    {
        // Handlers of different order ids run concurrently: one writer at a time keeps lines whole.
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_eventIds.Add(eventId))
            {
                return false;
            }

            await File.AppendAllTextAsync(_options.OutputFile, JsonFormatter.Default.Format(record) + "\n", cancellationToken);
            if (_options.StopAfter > 0 && _eventIds.Count >= _options.StopAfter)
            {
                _lifetime.StopApplication();
            }

            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
