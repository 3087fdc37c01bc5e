using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mesh.AppHost;

/// <summary>
/// Announces the mesh once every component is healthy, or stops the host with exit code 1 when
/// one is not within the start-up timeout or fails on the way, saying which component is in which
/// state and showing the last lines of the failed one's log: a script that runs
/// <c>./mesh.sh up</c> learns of it instead of waiting forever.
/// </summary>
internal sealed class StartupWatch(IReadOnlyList<IResource> components, TimeSpan timeout, string logDirectory, Action up)
{
    private const int TailLines = 40;

    public int ExitCode { get; private set; }

    public void Register(IDistributedApplicationBuilder builder) =>
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((created, cancellationToken) =>
        {
            _ = WatchAsync(created.Services);
            return Task.CompletedTask;
        });

    private async Task WatchAsync(IServiceProvider services)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var states = new ConcurrentDictionary<string, CustomResourceSnapshot>(StringComparer.Ordinal);
        _ = RecordStatesAsync(notifications, states, lifetime.ApplicationStopping);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        deadline.CancelAfter(timeout);
        string problem;
        try
        {
            var waits = components.Select(component => notifications.WaitForResourceHealthyAsync(component.Name, deadline.Token)).ToList();
            while (waits.Count > 0)
            {
                var done = await Task.WhenAny(waits);
                waits.Remove(done);
                await done;
            }

            up();
            return;
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return;
        }
        catch (OperationCanceledException)
        {
            problem = $"the mesh did not come up within {timeout.TotalSeconds:0} s (MESH_START_TIMEOUT)";
        }
        catch (DistributedApplicationException e)
        {
            problem = e.Message;
        }

        await deadline.CancelAsync();
        var error = Console.Error;
        await error.WriteLineAsync($"mesh: {problem}");
        foreach (var resource in components)
        {
            var state = states.GetValueOrDefault(resource.Name);
            await error.WriteLineAsync($"  {resource.Name,-15} {state?.State?.Text ?? "unknown",-15} health: {state?.HealthStatus?.ToString() ?? "-"}");
            if (state?.State?.Text is "Exited" or "FailedToStart")
            {
                await ShowLogTailAsync(error, resource.Name);
            }
        }

        ExitCode = 1;
        lifetime.StopApplication();
    }

    private static async Task RecordStatesAsync(
        ResourceNotificationService notifications, ConcurrentDictionary<string, CustomResourceSnapshot> states, CancellationToken stopping)
    {
        try
        {
            await foreach (var change in notifications.WatchAsync(stopping))
            {
                states[change.Resource.Name] = change.Snapshot;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task ShowLogTailAsync(TextWriter error, string resource)
    {
        var path = Path.Combine(logDirectory, $"{resource}.log");
        if (!File.Exists(path))
        {
            return;
        }

        await error.WriteLineAsync($"--- last lines of {path} ---");
        foreach (var line in (await File.ReadAllLinesAsync(path)).TakeLast(TailLines))
        {
            await error.WriteLineAsync(line);
        }

        await error.WriteLineAsync("---");
    }
}
