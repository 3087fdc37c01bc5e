using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mesh.AppHost;

/// <summary>
/// Asks again every 100 ms, for a few seconds, before it calls a component unhealthy. Aspire's own
/// loop waits 1, 2, 3, 4, then 5 s between unhealthy checks, which added seconds to every step of
/// the start order; this way a component counts as healthy within 100 ms of serving.
/// </summary>
internal sealed class PatientHealthCheck(IHealthCheck check) : IHealthCheck
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var result = await check.CheckHealthAsync(context, cancellationToken);
            if (result.Status == HealthStatus.Healthy || Stopwatch.GetElapsedTime(started) >= Patience)
            {
                return result;
            }

            await Task.Delay(Interval, cancellationToken);
        }
    }
}
