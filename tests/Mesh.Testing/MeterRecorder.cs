using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Mesh.Testing;

/// <summary>One measurement, with its tags as the instrument reported them.</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    /// <summary>True when the tag is present and equal to <paramref name="value"/>.</summary>
    public bool Has(string tag, object? value) => Tags.TryGetValue(tag, out var actual) && Equals(actual, value);
}

/// <summary>
/// Records what one meter of one host reports: instruments named <paramref name="meterName"/>
/// created through <paramref name="factory"/>, so hosts of tests running in parallel do not mix.
/// </summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _recorded = new();

    public MeterRecorder(string meterName, IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    /// <summary>Measurements of <paramref name="instrument"/> so far, observable instruments read now.</summary>
    public IReadOnlyList<RecordedMeasurement> Of(string instrument)
    {
        _listener.RecordObservableInstruments();
        return Recorded(instrument);
    }

    /// <summary>How many measurements of <paramref name="instrument"/> carry every given tag (compared as text).</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) =>
        Recorded(instrument).Count(m => tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v?.ToString() == t.Value));

    /// <summary>The latest measurement of <paramref name="instrument"/> that matches, polled until <paramref name="within"/>.</summary>
    public async Task<RecordedMeasurement> WaitForAsync(string instrument, Func<RecordedMeasurement, bool> match, TimeSpan within)
    {
        RecordedMeasurement? found = null;
        await Poll.UntilAsync(
            () => (found = Of(instrument).LastOrDefault(match)) is not null, within, $"No matching {instrument} measurement.", TimeSpan.FromMilliseconds(50));
        return found!;
    }

    public void Dispose() => _listener.Dispose();

    private List<RecordedMeasurement> Recorded(string instrument) => _recorded.Where(r => r.Instrument == instrument).ToList();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _recorded.Enqueue(new RecordedMeasurement(instrument.Name, value, copy));
    }
}
