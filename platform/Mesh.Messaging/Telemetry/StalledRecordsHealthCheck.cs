using System.Globalization;
using Mesh.Messaging.Consuming;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Telemetry;

/// <summary>
/// Degraded while a record has waited out transient failures (a dependency down) for longer than
/// <c>Kafka:StalledAfter</c>: its key, and the offsets of its partition behind it, are stuck until
/// the dependency is back. Degraded, not Unhealthy: the service may still answer calls, and
/// restarting it or taking it out of rotation would not bring the dependency back. Registered
/// without the liveness tag, like the <c>kafka</c> check.
/// </summary>
internal sealed class StalledRecordsHealthCheck(StalledRecords stalls, IOptions<KafkaOptions> options, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var threshold = options.Value.StalledAfter;
        var current = stalls.Current();
        var stalled = current.Where(s => now - s.Since >= threshold).ToList();
        if (stalled.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy(current.Count == 0
                ? "no record in transient retry"
                : $"{current.Count} record(s) in transient retry for less than {Seconds(threshold)} s"));
        }

        var partitions = stalled
            .GroupBy(s => (s.Topic, s.Partition))
            .OrderBy(p => p.Key.Topic, StringComparer.Ordinal).ThenBy(p => p.Key.Partition)
            .Select(p => $"{p.Key.Topic} [{p.Key.Partition}] {p.Select(s => s.Key).Distinct().Count()} key(s)");
        var oldest = stalled.Min(s => s.Since);
        var last = stalled.MaxBy(s => s.LastFailed)!;
        return Task.FromResult(HealthCheckResult.Degraded(
            $"{stalled.Count} record(s) stalled by transient failures for more than {Seconds(threshold)} s " +
            $"(oldest {Seconds(now - oldest)} s): {string.Join(", ", partitions)}; last error {last.LastErrorType}"));
    }

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}
