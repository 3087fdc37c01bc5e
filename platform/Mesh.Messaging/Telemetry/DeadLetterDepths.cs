using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Mesh.Messaging.Telemetry;

/// <summary>The last measured depth of each dead-letter topic, kept when a measurement fails.</summary>
internal sealed class DeadLetterDepths
{
    private readonly ConcurrentDictionary<string, long> _depths = new();

    public void Set(string deadLetterTopic, long depth) => _depths[deadLetterTopic] = depth;

    public IEnumerable<Measurement<long>> Observe() =>
        _depths.Select(d => new Measurement<long>(d.Value,
            new KeyValuePair<string, object?>("messaging.system", "kafka"),
            new KeyValuePair<string, object?>("messaging.destination.name", d.Key)));
}
