using System.Diagnostics.Metrics;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.ServiceDefaults.Events;

/// <summary>
/// Tells whether an event is still inside the redelivery horizon. A handler whose idempotency
/// rests on records that expire (<see cref="EventRetentionOptions.DecisionRetention"/>, measured
/// from when they were written, which is after the event happened) asks before applying: an event
/// inside the horizon finds its record if it was applied before; one outside it might not, so it
/// is counted (<c>mesh.events.too_late</c>) and skipped, never applied twice.
/// </summary>
public sealed partial class EventWindow
{
    public const string MeterName = "Mesh.Events";

    private readonly IOptions<EventRetentionOptions> _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<EventWindow> _logger;
    private readonly Counter<long> _tooLate;

    public EventWindow(IOptions<EventRetentionOptions> options, TimeProvider clock, IMeterFactory meters, ILogger<EventWindow> logger)
    {
        _options = options;
        _clock = clock;
        _logger = logger;
        _tooLate = meters.Create(MeterName).CreateCounter<long>(
            "mesh.events.too_late", "{event}", "Events delivered after the redelivery horizon, skipped without being applied.");
    }

    /// <summary>The retention of decision records and counted ids.</summary>
    public TimeSpan DecisionRetention => _options.Value.DecisionRetention;

    /// <summary>True (and counted, and logged) when the event happened longer ago than the horizon.</summary>
    public bool IsTooLate(string eventType, string eventId, Timestamp? occurredAt)
    {
        if (occurredAt is null || occurredAt.Seconds <= 0)
        {
            return false;
        }

        var age = _clock.GetUtcNow() - occurredAt.ToDateTimeOffset();
        if (age <= _options.Value.RedeliveryHorizon)
        {
            return false;
        }

        _tooLate.Add(1, new KeyValuePair<string, object?>("mesh.event.type", eventType));
        LogTooLate(eventType, eventId, age, _options.Value.RedeliveryHorizon);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Skipped {EventType} {EventId}: it happened {Age} ago, beyond the redelivery horizon of {Horizon}, so its decision may have expired")]
    private partial void LogTooLate(string eventType, string eventId, TimeSpan age, TimeSpan horizon);
}
