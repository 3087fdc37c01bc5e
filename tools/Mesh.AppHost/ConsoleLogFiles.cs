using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mesh.AppHost;

/// <summary>
/// Every component's console output, as the dashboard shows it, also in
/// <c>.mesh/logs/&lt;name&gt;.log</c> (the <c>logs</c> key of endpoints.json): for <c>tail -f</c>,
/// grep and whoever reads a run afterwards. Every resource of the model gets one, also those a
/// test adds to the model before it starts.
/// </summary>
internal static class ConsoleLogFiles
{
    public static void WriteTo(IDistributedApplicationBuilder builder, string directory) =>
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((created, cancellationToken) =>
        {
            var logs = created.Services.GetRequiredService<ResourceLoggerService>();
            var stopping = created.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            foreach (var component in created.Model.Resources.Where(resource => resource is not IResourceWithParent))
            {
                _ = CopyAsync(logs, component, Path.Combine(directory, $"{component.Name}.log"), stopping);
            }

            return Task.CompletedTask;
        });

    private static async Task CopyAsync(ResourceLoggerService logs, IResource resource, string path, CancellationToken stopping)
    {
        await using var file = new StreamWriter(path, append: false) { AutoFlush = true };
        try
        {
            await foreach (var batch in logs.WatchAsync(resource).WithCancellation(stopping))
            {
                foreach (var line in batch)
                {
                    await file.WriteLineAsync(line.Content);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
