using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Grpc.Net.Client;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.EndToEndTests;

/// <summary>
/// What a user of <c>./mesh.sh up</c> relies on, with the mesh started the same way: by
/// tools/Mesh.AppHost (<see cref="AppHostMesh"/>).
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed partial class AppHostTests(AppHostMesh mesh) : IClassFixture<AppHostMesh>
{

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    /// <summary>What README.md's table of "What runs where (local)" lists that the AppHost starts itself.</summary>
    private static readonly string[] Documented = ["redis", "kafka", "users", "orders", "notifications", "sidecar", "gateway"];

    [Fact]
    public void Start_EveryDocumentedComponent_IsHealthy()
    {
        var notifications = mesh.App.Services.GetRequiredService<ResourceNotificationService>();

        var health = mesh.Components.ToDictionary(
            c => c.Name,
            c => notifications.TryGetCurrentState(c.Name, out var e) ? e.Snapshot.HealthStatus?.ToString() : null);

        Assert.Subset(health.Keys.ToHashSet(), Documented.ToHashSet());
        Assert.All(health, component => Assert.True(component.Value == "Healthy", $"{component.Key}: {component.Value}\n{mesh.Describe()}"));
    }

    [Fact]
    public async Task Start_GatewayServes_EndpointsFileHasTheReadmeKeysAndThisMeshsAddresses()
    {
        var endpoints = await mesh.ReadEndpointsAsync();

        Assert.Equal(KeyPaths(ReadmeExample()), KeyPaths(endpoints));
        Assert.Equal(LocalAddress("MESH_GATEWAY_PORT", "http"), endpoints.GetProperty("gateway").GetString());
        Assert.Equal(LocalAddress("MESH_USERS_PORT", "https"), endpoints.GetProperty("users").GetString());
        Assert.Equal($"127.0.0.1:{mesh.Ports["MESH_REDIS_PORT"]}", endpoints.GetProperty("redis").GetString());
        // Every file it names is in this mesh's state folder, none in the repository's .mesh.
        foreach (var path in new[] { endpoints.GetProperty("sidecarToken"), endpoints.GetProperty("identity").GetProperty("trustBundle"), endpoints.GetProperty("logs") })
        {
            Assert.StartsWith(mesh.StateDirectory + Path.DirectorySeparatorChar, path.GetString());
        }

        Assert.True(File.Exists(endpoints.GetProperty("sidecarToken").GetString()));
    }

    [Fact]
    public async Task PlaceOrder_ThroughTheGatewayOfTheEndpointsFile_IsConfirmedAndNotified()
    {
        var endpoints = await mesh.ReadEndpointsAsync();
        using var gateway = GrpcChannel.ForAddress(endpoints.GetProperty("gateway").GetString()!);
        var user = await TestUser.CreateAsync(gateway);
        await using var stream = await NotificationStream.OpenAsync(user);

        // A SKU of the catalog the order service ships with (appsettings.json), at its price.
        var order = await user.PlaceOrderAsync("apphost-1", TestUser.Line("MUG-BLUE", 2));
        // The first order also waits for the consumer groups to join on a freshly started broker.
        var notification = await stream.NextAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2 * 1250, order.TotalCents);
        Assert.Equal(order.OrderId, notification.OrderId);
        Assert.Equal(user.UserId, notification.UserId);
        Assert.Equal("order.confirmed", notification.Kind);
    }

    [Fact]
    public async Task Stop_RunningMesh_LeavesNoProcessNorEndpointsFileNorCredentials()
    {
        // A mesh of its own: this test stops it.
        var own = new AppHostMesh();
        try
        {
            var others = Orchestrated();
            await own.InitializeAsync();
            await own.ReadEndpointsAsync();
            var components = ComponentProcesses(own);
            var orchestrated = Orchestrated().Except(others).ToList();
            var mentioning = ProcessTable.Mentioning(own.StateDirectory);
            Assert.All(components, c => Assert.Contains(mentioning, p => p.Id == c.Value));
            Assert.All(components, c => Assert.Contains(orchestrated, p => p.Id == c.Value));

            await own.StopAsync();

            Assert.DoesNotContain(components, c => ProcessTable.IsRunning(c.Value));
            Assert.Empty(ProcessTable.Mentioning(own.StateDirectory));
            // The components are gone when the AppHost is; DCP itself follows once it has noticed.
            await Poll.UntilAsync(
                () => !orchestrated.Any(p => ProcessTable.IsRunning(p.Id)),
                StopTimeout,
                () => "still running: " + string.Join("\n", orchestrated.Where(p => ProcessTable.IsRunning(p.Id))));
            Assert.DoesNotContain(own.Ports.Values, Listening);
            Assert.False(File.Exists(own.EndpointsFile));
            Assert.DoesNotContain(
                new[] { "endpoints.json", "kafka.bootstrap", "sidecar.token", "certs", "secrets" },
                name => Path.Exists(Path.Combine(own.StateDirectory, name)));
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    /// <summary>Written once the gateway is ready, which may be a moment after it is healthy.</summary>
    /// <summary>The process of each component, as the orchestrator reports it.</summary>
    private static Dictionary<string, int> ComponentProcesses(AppHostMesh mesh)
    {
        var notifications = mesh.App.Services.GetRequiredService<ResourceNotificationService>();
        return mesh.Components.ToDictionary(c => c.Name, c =>
            notifications.TryGetCurrentState(c.Name, out var e) && e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
                ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"{c.Name} has no process id.\n{mesh.Describe()}"));
    }

    /// <summary>
    /// The orchestrator (DCP) of every AppHost in this test process, with all it started: DCP
    /// detaches from the AppHost and watches its process id (<c>--monitor</c>) instead.
    /// </summary>
    private static List<RunningProcess> Orchestrated()
    {
        var dcp = typeof(Projects.Mesh_AppHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "dcpclipath").Value!;
        return ProcessTable.Mentioning(dcp)
            .Where(p => p.CommandLine.Contains($" --monitor {Environment.ProcessId} ", StringComparison.Ordinal))
            .SelectMany(p => ProcessTable.DescendantsOf(p.Id).Prepend(p))
            .ToList();
    }

    private string LocalAddress(string portVariable, string scheme) => $"{scheme}://127.0.0.1:{mesh.Ports[portVariable]}";

    private static bool Listening(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The example of endpoints.json in README.md.</summary>
    private static JsonElement ReadmeExample()
    {
        var readme = File.ReadAllText(Path.Combine(Runnables.Root, "README.md"));
        var example = ReadmeExampleBlock().Match(readme);
        Assert.True(example.Success, "README.md shows no example of .mesh/endpoints.json");
        using var document = JsonDocument.Parse(example.Groups["json"].Value);
        return document.RootElement.Clone();
    }

    /// <summary>Every key of a document, nested ones as <c>identity.operator.key</c>, in order.</summary>
    private static List<string> KeyPaths(JsonElement element, string prefix = "") =>
        element.ValueKind != JsonValueKind.Object
            ? []
            : element.EnumerateObject()
                .SelectMany(p => KeyPaths(p.Value, $"{prefix}{p.Name}.").Prepend($"{prefix}{p.Name}"))
                .Order(StringComparer.Ordinal)
                .ToList();

    [GeneratedRegex(@"`\.mesh/endpoints\.json` looks like this:\s*```json\n(?<json>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex ReadmeExampleBlock();
}
