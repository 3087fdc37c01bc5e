namespace Mesh.Messaging;

/// <summary>
/// Names to subscribe to in OpenTelemetry (<c>AddSource(MessagingTelemetry.ActivitySourceName)</c>,
/// <c>AddMeter(MessagingTelemetry.MeterName)</c>).
/// </summary>
public static class MessagingTelemetry
{
    /// <summary>Source of the <c>send &lt;topic&gt;</c> and <c>process &lt;topic&gt;</c> spans.</summary>
    public const string ActivitySourceName = "Mesh.Messaging";

    /// <summary>Meter of the consumer, dead-letter, producer and broker metrics (see the README).</summary>
    public const string MeterName = "Mesh.Messaging";
}
