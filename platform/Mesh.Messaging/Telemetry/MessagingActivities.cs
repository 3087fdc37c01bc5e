using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace Mesh.Messaging.Telemetry;

/// <summary>
/// The spans of this component, named and tagged after the OpenTelemetry messaging semantic
/// conventions, so trace backends show Kafka hops like any other instrumented client.
/// </summary>
internal sealed class MessagingActivities : IDisposable
{
    private readonly ActivitySource _source = new(MessagingTelemetry.ActivitySourceName);
    // Span names per topic, made once: a topic's records are sent or processed many times a second.
    private readonly ConcurrentDictionary<string, string> _sendNames = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _processNames = new(StringComparer.Ordinal);

    public Activity? StartSend(string topic, string key)
    {
        if (!_source.HasListeners())
        {
            return null;
        }

        var activity = _source.StartActivity(_sendNames.GetOrAdd(topic, static name => $"send {name}"), ActivityKind.Producer);
        activity?.SetTag("messaging.system", "kafka")
            .SetTag("messaging.operation.name", "send")
            .SetTag("messaging.operation.type", "send")
            .SetTag("messaging.destination.name", topic)
            .SetTag("messaging.kafka.message.key", key);
        return activity;
    }

    public Activity? StartProcess(ConsumeResult<string, byte[]> record, string consumerGroup, ActivityContext parent)
    {
        if (!_source.HasListeners())
        {
            return null;
        }

        var activity = _source.StartActivity(_processNames.GetOrAdd(record.Topic, static name => $"process {name}"), ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "kafka")
            .SetTag("messaging.operation.name", "process")
            .SetTag("messaging.operation.type", "process")
            .SetTag("messaging.destination.name", record.Topic)
            .SetTag("messaging.consumer.group.name", consumerGroup)
            .SetTag("messaging.kafka.message.key", record.Message.Key);
        SetPosition(activity, record.Partition, record.Offset);
        return activity;
    }

    public static void SetPosition(Activity? activity, Partition partition, Offset offset)
    {
        // Both the current partition attribute and the older Kafka-specific one, which some
        // backends still index.
        activity?.SetTag("messaging.destination.partition.id", partition.Value.ToString(CultureInfo.InvariantCulture))
            .SetTag("messaging.kafka.destination.partition", partition.Value)
            .SetTag("messaging.kafka.offset", offset.Value);
    }

    public static void SetError(Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message)
            .SetTag("error.type", exception.GetType().FullName)
            .AddException(exception);
    }

    public void Dispose() => _source.Dispose();
}
