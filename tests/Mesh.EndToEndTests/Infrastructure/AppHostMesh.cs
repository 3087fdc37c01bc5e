using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Mesh.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// The mesh as <c>./mesh.sh up</c> starts it: tools/Mesh.AppHost itself, through
/// Aspire.Hosting.Testing, with its state in a temporary folder (<c>MESH_STATE_DIR</c>) and every
/// <c>MESH_*_PORT</c> on a free loopback port, so that it never touches a running <c>up</c> or
/// another test's mesh. Without the dashboard (the testing builder leaves it out).
/// </summary>
public sealed class AppHostMesh : IAsyncLifetime
{
    /// <summary>Every port the AppHost takes, by the variable that moves it (LocalMesh).</summary>
    public static readonly string[] PortVariables =
    [
        "MESH_GATEWAY_PORT", "MESH_USERS_PORT", "MESH_ORDERS_PORT", "MESH_NOTIFICATIONS_PORT", "MESH_SIDECAR_PORT",
        "MESH_DAPR_GRPC_PORT", "MESH_DAPR_HTTP_PORT", "MESH_REDIS_PORT", "MESH_DASHBOARD_PORT", "MESH_OTLP_PORT",
    ];

    /// <summary>Generous: the machine is small and often busy. The AppHost's own watch gives up later.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    // The variables the AppHost reads; the others make it use a Redis, Kafka or OTLP it does not start.
    private static readonly string[] External = ["Redis__Configuration", "KAFKA_BOOTSTRAP_SERVERS", "OTEL_EXPORTER_OTLP_ENDPOINT"];

    private DistributedApplication? _app;

    public string StateDirectory { get; } = Directory.CreateTempSubdirectory("mesh-apphost-").FullName;

    public IReadOnlyDictionary<string, int> Ports { get; } = PortVariables.ToDictionary(name => name, _ => FreePort.Next());

    public string EndpointsFile => Path.Combine(StateDirectory, "endpoints.json");

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    /// <summary>
    /// The components of the mesh: every resource the AppHost declared, without the hidden helpers
    /// Aspire adds under them (a <c>&lt;project&gt;-rebuilder</c> per project, never started).
    /// </summary>
    public IReadOnlyList<IResource> Components =>
        App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Where(r => r is not IResourceWithParent).ToList();

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        IDistributedApplicationTestingBuilder builder;
        // The AppHost reads its settings from the environment, as up gives them, once, when its
        // entry point starts (the builder below runs it up to Build).
        var saved = PortVariables.Concat(External).Append("MESH_STATE_DIR").Append("MESH_START_TIMEOUT")
            .ToDictionary(name => name, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var (name, port) in Ports)
            {
                Environment.SetEnvironmentVariable(name, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            foreach (var name in External)
            {
                Environment.SetEnvironmentVariable(name, null);
            }

            Environment.SetEnvironmentVariable("MESH_STATE_DIR", StateDirectory);
            Environment.SetEnvironmentVariable("MESH_START_TIMEOUT", "300");
            builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Mesh_AppHost>(timeout.Token);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        try
        {
            _app = await builder.BuildAsync(timeout.Token);
            await _app.StartAsync(timeout.Token);
            await WaitHealthyAsync(timeout.Token);
        }
        catch
        {
            // Whatever did start stops; the builder too when the app was never built.
            await StopAsync();
            await builder.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the AppHost as Ctrl-C stops up; the state folder stays for the caller to look at.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(StateDirectory, recursive: true);
    }

    /// <summary>endpoints.json as the AppHost wrote it.</summary>
    public async Task<JsonElement> ReadEndpointsAsync()
    {
        await using var file = File.OpenRead(EndpointsFile);
        using var document = await JsonDocument.ParseAsync(file);
        return document.RootElement.Clone();
    }

    /// <summary>What each component is doing, and the end of its log, for the message of a failed wait.</summary>
    public string Describe()
    {
        var notifications = App.Services.GetRequiredService<ResourceNotificationService>();
        return string.Join("\n", Components.Select(resource =>
        {
            var state = notifications.TryGetCurrentState(resource.Name, out var resourceEvent) ? resourceEvent.Snapshot : null;
            var log = Path.Combine(StateDirectory, "logs", $"{resource.Name}.log");
            var tail = File.Exists(log) ? string.Join("\n    ", File.ReadLines(log).TakeLast(15)) : "(no log)";
            return $"{resource.Name}: {state?.State?.Text ?? "unknown"}, health {state?.HealthStatus?.ToString() ?? "-"}\n    {tail}";
        }));
    }

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        var notifications = App.Services.GetRequiredService<ResourceNotificationService>();
        try
        {
            await Task.WhenAll(Components.Select(c => notifications.WaitForResourceHealthyAsync(c.Name, cancellationToken)));
        }
        catch (Exception exception) when (exception is OperationCanceledException or DistributedApplicationException)
        {
            throw new InvalidOperationException($"The mesh did not come up within {StartTimeout} ({exception.Message}):\n{Describe()}", exception);
        }
    }
}
