using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mesh.AppHost;

/// <summary>The dev broker is ready once it has written its bootstrap address to the file it was given.</summary>
internal sealed class BootstrapFileCheck(string path) : IHealthCheck
{
    public static string? Read(string path) =>
        File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } bootstrap ? bootstrap : null;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Read(path) is not null
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("the dev broker has not written its bootstrap address yet"));
}
