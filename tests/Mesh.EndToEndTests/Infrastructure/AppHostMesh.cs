using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Mesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// The mesh as <c>./mesh.sh up</c> starts it: tools/Mesh.AppHost itself, through
/// Aspire.Hosting.Testing, with its state in a temporary folder (<c>MESH_STATE_DIR</c>) and every
/// <c>MESH_*_PORT</c> on a free loopback port, so that it never touches a running <c>up</c> or
/// another test's mesh. Without the dashboard (the testing builder leaves it out).
/// <para>
/// A fixture that needs more than <c>up</c> gives (smaller quotas, a second gateway, an OTLP
/// receiver of its own) passes settings, which the AppHost reads as it reads the user's
/// environment, and a customization, which changes the model the AppHost declared before it
/// starts: what runs, in which order and how it is wired stays the AppHost's.
/// </para>
/// </summary>
public sealed class AppHostMesh : IAsyncLifetime
{
    // The AppHost reads this process's environment: one AppHost at a time is created.
    private static readonly SemaphoreSlim Creating = new(1, 1);

    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly Action<IDistributedApplicationTestingBuilder>? _customize;

    /// <summary>The mesh exactly as <c>./mesh.sh up</c> starts it (xunit's class fixture).</summary>
    public AppHostMesh()
        : this(new Dictionary<string, string>(), customize: null)
    {
    }

    /// <summary>With <paramref name="settings"/> in the AppHost's environment and <paramref name="customize"/> applied to its model.</summary>
    internal AppHostMesh(IReadOnlyDictionary<string, string> settings, Action<IDistributedApplicationTestingBuilder>? customize)
    {
        _settings = settings;
        _customize = customize;
    }

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
    public IReadOnlyList<IResource> Components { get; private set; } = [];

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        IDistributedApplicationTestingBuilder builder;
        // The AppHost reads its settings from the environment, as up gives them, once, when its
        // entry point starts (the builder below runs it up to Build).
        await Creating.WaitAsync(timeout.Token);
        var saved = PortVariables.Concat(External).Concat(_settings.Keys).Append("MESH_STATE_DIR").Append("MESH_START_TIMEOUT")
            .Distinct().ToDictionary(name => name, Environment.GetEnvironmentVariable);
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
            foreach (var (name, value) in _settings)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Mesh_AppHost>(timeout.Token);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            Creating.Release();
        }

        try
        {
            // Each component's console output stays in <state>/logs/<name>.log (quoted by failure
            // messages), not also in the test run's output.
            builder.Services.AddLogging(logging => logging.AddFilter("Mesh.AppHost.Resources", LogLevel.None));
            _customize?.Invoke(builder);
            _app = await builder.BuildAsync(timeout.Token);
            Components = _app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Where(r => r is not IResourceWithParent).ToList();
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

    /// <summary>
    /// endpoints.json as the AppHost wrote it: once every component it declared is healthy, a
    /// moment after the health this fixture waits for.
    /// </summary>
    public async Task<JsonElement> ReadEndpointsAsync()
    {
        await Poll.UntilAsync(() => File.Exists(EndpointsFile), TimeSpan.FromSeconds(30), () => $"no {EndpointsFile}\n{Describe()}");
        await using var file = File.OpenRead(EndpointsFile);
        using var document = await JsonDocument.ParseAsync(file);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// The environment <paramref name="component"/> runs with, as the AppHost computes it (settings,
    /// certificates, Redis user, addresses): for a test that starts one more instance of it itself.
    /// </summary>
    public async Task<Dictionary<string, string>> EnvironmentOfAsync(string component)
    {
        var resource = Components.Single(r => r.Name == component);
        var configuration = await ExecutionConfigurationBuilder.Create(resource)
            .WithEnvironmentVariablesConfig()
            .BuildAsync(App.Services.GetRequiredService<DistributedApplicationExecutionContext>(), NullLogger.Instance, CancellationToken.None);
        if (configuration.Exception is { } exception)
        {
            throw new InvalidOperationException($"The environment of {component} could not be computed.", exception);
        }

        return configuration.EnvironmentVariables.ToDictionary(setting => setting.Key, setting => setting.Value);
    }

    /// <summary>The command line the AppHost starts <paramref name="component"/> with.</summary>
    public ExecutableResource Executable(string component) => Components.OfType<ExecutableResource>().Single(r => r.Name == component);

    /// <summary>What the components printed (all of them, or those named), for the message of a failed assertion.</summary>
    public string Logs(params string[] names) => string.Join("\n", Components
        .Where(c => names.Length == 0 || names.Contains(c.Name))
        .Select(c => $"----- {c.Name}\n{ReadLog(c.Name, int.MaxValue)}"));

    /// <summary>
    /// Completes once any component prints a line containing <paramref name="text"/> from now on
    /// (its console log, as the AppHost copies it); faults if none does within ten minutes.
    /// </summary>
    public Task PrintedAsync(string text)
    {
        var from = Components.ToDictionary(c => c.Name, c => new FileInfo(LogFile(c.Name)) is { Exists: true } file ? file.Length : 0);
        return Poll.UntilAsync(
            () => from.Any(log => ReadLogFrom(log.Key, log.Value).Contains(text, StringComparison.Ordinal)),
            TimeSpan.FromMinutes(10),
            $"no component printed \"{text}\"",
            TimeSpan.FromMilliseconds(100));
    }

    /// <summary>What each component is doing, and the end of its log, for the message of a failed wait.</summary>
    public string Describe()
    {
        ResourceNotificationService? notifications;
        try
        {
            notifications = App.Services.GetRequiredService<ResourceNotificationService>();
        }
        catch (ObjectDisposedException)
        {
            // The AppHost stopped itself (its start-up watch gives up when a component fails): the logs say why.
            notifications = null;
        }

        return string.Join("\n", Components.Select(resource =>
        {
            var state = notifications is not null && notifications.TryGetCurrentState(resource.Name, out var resourceEvent) ? resourceEvent.Snapshot : null;
            var tail = ReadLog(resource.Name, 15).Replace("\n", "\n    ", StringComparison.Ordinal);
            return $"{resource.Name}: {state?.State?.Text ?? "unknown"}, health {state?.HealthStatus?.ToString() ?? "-"}\n    {tail}";
        }));
    }

    /// <summary>The last <paramref name="lines"/> of the console log the AppHost keeps of <paramref name="component"/>.</summary>
    private string ReadLog(string component, int lines) => File.Exists(LogFile(component))
        ? string.Join("\n", ReadLogFrom(component, 0).Split('\n').TakeLast(lines))
        : "(no log)";

    /// <summary>The log from byte <paramref name="offset"/> on; the AppHost still writes it, so it is opened shared.</summary>
    private string ReadLogFrom(string component, long offset)
    {
        try
        {
            using var stream = new FileStream(LogFile(component), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().TrimEnd('\n');
        }
        catch (IOException)
        {
            // Not written yet, or gone with the stopped mesh.
            return "";
        }
    }

    private string LogFile(string component) => Path.Combine(StateDirectory, "logs", $"{component}.log");

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
