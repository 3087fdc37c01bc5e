using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;

namespace Mesh.Messaging.Telemetry;

/// <summary>
/// Carries the W3C trace context and baggage in Kafka record headers (UTF-8), through whatever
/// propagator OpenTelemetry is configured with (the SDK installs trace context + baggage).
/// </summary>
internal static class TraceContextHeaders
{
    public static void Inject(Activity? activity, Headers headers)
    {
        var context = activity?.Context ?? Activity.Current?.Context ?? default;
        Propagators.DefaultTextMapPropagator.Inject(new PropagationContext(context, Baggage.Current), headers, Set);
    }

    public static PropagationContext Extract(Headers? headers) =>
        headers is null ? default : Propagators.DefaultTextMapPropagator.Extract(default, headers, Get);

    private static void Set(Headers headers, string name, string value)
    {
        headers.Remove(name);
        headers.Add(name, Encoding.UTF8.GetBytes(value));
    }

    private static IEnumerable<string> Get(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var value) && value is not null ? [Encoding.UTF8.GetString(value)] : [];
}
