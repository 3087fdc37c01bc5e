using Grpc.Net.Client;
using Mesh.Contracts.Sidecar.V1;
using Mesh.Testing;
// Inside namespace Mesh, a bare Locks names the namespace Mesh.Locks (the lock library) before any using.
using SidecarLocks = Mesh.Contracts.Sidecar.V1.Locks;

namespace Mesh.LockTests.Infrastructure;

/// <summary>
/// The sidecar as its own process on a free port, with a Locks client once it is SERVING, and
/// Dapr's gRPC and HTTP APIs on free ports of their own (given as DAPR_GRPC_PORT and
/// DAPR_HTTP_PORT, the variables Dapr's SDKs read too).
/// </summary>
public sealed class SidecarProcess : IAsyncDisposable
{
    private readonly ServiceProcess _process;

    private SidecarProcess(ServiceProcess process, int daprGrpcPort, int daprHttpPort)
    {
        _process = process;
        var channel = process.Channel;
        DaprGrpcPort = daprGrpcPort;
        DaprHttpPort = daprHttpPort;
        Locks = new SidecarLocks.LocksClient(channel.As());
        LocksOf = app => new SidecarLocks.LocksClient(channel.As(app));
    }

    /// <summary>The Locks API as the app <see cref="SidecarApps.Tests"/>.</summary>
    public SidecarLocks.LocksClient Locks { get; }

    /// <summary>The Locks API as another app known to the sidecar.</summary>
    public Func<string, SidecarLocks.LocksClient> LocksOf { get; }

    /// <summary>The sidecar's address, for calls that bring their own metadata (or none).</summary>
    public GrpcChannel Channel => _process.Channel;

    public string Output => _process.Process.Output;

    public int DaprGrpcPort { get; }

    public int DaprHttpPort { get; }

    /// <summary>Where Dapr's SDKs reach the gRPC API (their DAPR_GRPC_ENDPOINT).</summary>
    public string DaprGrpcAddress => $"http://127.0.0.1:{DaprGrpcPort}";

    /// <summary>Where Dapr's SDKs reach the HTTP API (their DAPR_HTTP_ENDPOINT).</summary>
    public string DaprHttpAddress => $"http://127.0.0.1:{DaprHttpPort}";

    public static DateTime Deadline => DateTime.UtcNow.AddSeconds(10);

    /// <summary>Starts the sidecar on <paramref name="redis"/>, with Redlock over <paramref name="masters"/> when any.</summary>
    public static Task<SidecarProcess> StartAsync(string redis, params string[] masters) =>
        StartAsync(redis, new Dictionary<string, string>(), masters);

    /// <summary>As <see cref="StartAsync(string, string[])"/>, with more <paramref name="settings"/> (environment variables).</summary>
    public static async Task<SidecarProcess> StartAsync(string redis, IReadOnlyDictionary<string, string> settings, params string[] masters)
    {
        var (daprGrpcPort, daprHttpPort) = (FreePort.Next(), FreePort.Next());
        var environment = new Dictionary<string, string>(SidecarApps.Environment)
        {
            ["Redis__Configuration"] = redis,
            // Generous: every call here is one attempt, and a slow answer on a loaded machine would
            // read as an unavailable master. A killed master fails at once (its connection drops).
            ["Locks__MasterTimeout"] = "00:00:05",
            ["DAPR_GRPC_PORT"] = $"{daprGrpcPort}",
            ["DAPR_HTTP_PORT"] = $"{daprHttpPort}",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        for (var i = 0; i < masters.Length; i++)
        {
            environment[$"Locks__Masters__{i}"] = masters[i];
        }

        return new SidecarProcess(await ServiceProcess.StartServingAsync(BuildOutputs.Sidecar, environment), daprGrpcPort, daprHttpPort);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
