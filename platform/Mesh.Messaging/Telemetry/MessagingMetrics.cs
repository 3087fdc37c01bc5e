using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Mesh.Messaging.Consuming;

namespace Mesh.Messaging.Telemetry;

/// <summary>
/// The instruments of meter <see cref="MessagingTelemetry.MeterName"/>. Names and attributes follow
/// the OpenTelemetry messaging semantic conventions where they define one; the rest are
/// <c>mesh.messaging.*</c>.
/// </summary>
internal sealed class MessagingMetrics
{
    // The partition attribute is a string; the usual partition numbers are made once.
    private static readonly string[] PartitionIds = [.. Enumerable.Range(0, 64).Select(id => id.ToString(CultureInfo.InvariantCulture))];

    // The semantic conventions' advice for messaging durations, in seconds.
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly Histogram<double> _processDuration;
    private readonly Counter<long> _consumed;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _deadLettered;
    private readonly Histogram<double> _sendDuration;
    private readonly Counter<long> _sent;

    public MessagingMetrics(IMeterFactory meters, KafkaClientMonitor clients, StalledRecords stalls, DeadLetterDepths deadLetters)
    {
        var meter = meters.Create(MessagingTelemetry.MeterName);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _processDuration = meter.CreateHistogram("messaging.process.duration", "s",
            "Duration of one handler attempt; mesh.messaging.outcome tells success from failure.", advice: advice);
        _consumed = meter.CreateCounter<long>("messaging.client.consumed.messages", "{message}",
            "Records handed to the consumer's dispatcher.");
        _retries = meter.CreateCounter<long>("mesh.messaging.process.retries", "{retry}",
            "Handler attempts that failed and will be retried; mesh.messaging.failure.kind is transient or unclassified.");
        _deadLettered = meter.CreateCounter<long>("mesh.messaging.dead_lettered", "{message}",
            "Records written to their dead-letter topic, by source topic and reason.");
        _sendDuration = meter.CreateHistogram("messaging.client.operation.duration", "s",
            "Duration of a publish until the broker persisted the record (or failed).", advice: advice);
        _sent = meter.CreateCounter<long>("messaging.client.sent.messages", "{message}",
            "Records published; error.type is set on the ones that were not persisted.");
        meter.CreateObservableGauge("mesh.messaging.consumer.lag", clients.ObserveLag, "{message}",
            "Records of an owned partition the group has not committed (high watermark minus committed offset).");
        meter.CreateObservableGauge("mesh.messaging.brokers.up", clients.ObserveBrokersUp, "{broker}",
            "Brokers a Kafka client of this process is connected to.");
        meter.CreateObservableGauge("mesh.messaging.consumer.stalled", stalls.ObserveCount, "{record}",
            "Records of a partition in transient retry (a dependency down): they wait instead of being dead-lettered.");
        meter.CreateObservableGauge("mesh.messaging.consumer.stall_age", stalls.ObserveOldestAge, "s",
            "How long the partition's oldest record in transient retry has been waiting; 0 when none.");
        meter.CreateObservableGauge("mesh.messaging.dead_letter.depth", deadLetters.Observe, "{record}",
            "Records of a dead-letter topic not redriven yet (after the offsets committed by group mesh-dlq-redrive).");
    }

    public void Consumed(string topic, int partition, string group)
    {
        // Once per record: no tags are built while no meter listener (no metrics exporter) is attached.
        if (_consumed.Enabled)
        {
            _consumed.Add(1, Consumer(topic, group, partition));
        }
    }

    /// <summary>Whether handler attempts are timed: only while a listener (a metrics exporter) records their duration.</summary>
    public bool TimesProcessing => _processDuration.Enabled;

    /// <param name="duration">Null when the attempt was not timed (<see cref="TimesProcessing"/> was false when it started).</param>
    public void Processed(string topic, int partition, string group, TimeSpan? duration, Exception? failure)
    {
        if (duration is null || !_processDuration.Enabled)
        {
            return;
        }

        var tags = Consumer(topic, group, partition);
        tags.Add("messaging.operation.name", "process");
        tags.Add("mesh.messaging.outcome", failure is null ? "success" : "failure");
        if (failure is not null)
        {
            tags.Add("error.type", failure.GetType().FullName);
        }

        _processDuration.Record(duration.Value.TotalSeconds, tags);
    }

    public void Retried(string topic, string group, FailureKind kind)
    {
        var tags = Consumer(topic, group, partition: null);
        tags.Add("mesh.messaging.failure.kind", kind == FailureKind.Transient ? "transient" : "unclassified");
        _retries.Add(1, tags);
    }

    public void DeadLettered(string topic, string group, string reason)
    {
        var tags = Consumer(topic, group, partition: null);
        tags.Add("mesh.messaging.dead_letter.reason", reason);
        _deadLettered.Add(1, tags);
    }

    public void Sent(string topic, TimeSpan duration, string? errorType)
    {
        var tags = new TagList { { "messaging.system", "kafka" }, { "messaging.operation.name", "send" }, { "messaging.destination.name", topic } };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        _sendDuration.Record(duration.TotalSeconds, tags);
        _sent.Add(1, tags);
    }

    private static string PartitionId(int partition) =>
        (uint)partition < (uint)PartitionIds.Length ? PartitionIds[partition] : partition.ToString(CultureInfo.InvariantCulture);

    private static TagList Consumer(string topic, string group, int? partition)
    {
        var tags = new TagList
        {
            { "messaging.system", "kafka" },
            { "messaging.destination.name", topic },
            { "messaging.consumer.group.name", group },
        };
        if (partition is { } id)
        {
            tags.Add("messaging.destination.partition.id", PartitionId(id));
        }

        return tags;
    }
}
