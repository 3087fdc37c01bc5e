using System.Globalization;
using Mesh.Messaging.Publishing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Telemetry;

/// <summary>
/// Ready unless a Kafka client of this process has reached no broker for longer than
/// <c>Kafka:UnhealthyAfter</c>; a shorter outage is only Degraded (still serving), since clients
/// reconnect by themselves and a broker failover should not take every pod out of rotation.
/// Registered without the liveness tag: a Kafka outage must not restart the process.
/// </summary>
internal sealed class KafkaHealthCheck(
    KafkaClientMonitor clients,
    KafkaEventPublisher publisher,
    IOptions<KafkaOptions> options,
    TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Every Kafka user publishes (dead letters at least), so watching the producer from the
        // first probe on also covers a service that has not published yet.
        publisher.EnsureCreated();
        var now = time.GetUtcNow();
        var unreachable = clients.Clients
            .Where(c => c.Value.UnreachableSince is not null)
            .Select(c => (Client: c.Key, For: now - c.Value.UnreachableSince!.Value))
            .OrderByDescending(c => c.For)
            .ToList();
        if (unreachable.Count == 0)
        {
            var up = clients.Clients.Select(c => $"{c.Key}: {c.Value.Statistics.BrokersUp} broker(s) up");
            return Task.FromResult(HealthCheckResult.Healthy(clients.Clients.Count == 0 ? "no statistics yet" : string.Join(", ", up)));
        }

        var (client, duration) = unreachable[0];
        var description = $"Kafka {client} has reached no broker for {duration.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s";
        return Task.FromResult(duration >= options.Value.UnhealthyAfter
            ? HealthCheckResult.Unhealthy(description)
            : HealthCheckResult.Degraded(description));
    }
}
