using Grpc.Net.Client;

namespace Mesh.Testing;

/// <summary>
/// A built Mesh runnable (gateway, sidecar) as its own process on an h2c loopback address (a free
/// port unless given), with a channel to it; disposing kills it.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private ServiceProcess(ChildProcess process, string address)
    {
        Process = process;
        Channel = GrpcChannel.ForAddress(address);
    }

    public ChildProcess Process { get; }

    public GrpcChannel Channel { get; }

    public static ServiceProcess Start(string dll, IReadOnlyDictionary<string, string> environment, string? address = null)
    {
        address ??= $"http://127.0.0.1:{FreePort.Next()}";
        var settings = new Dictionary<string, string> { ["Urls"] = address, ["Logging__LogLevel__Default"] = "Warning" };
        foreach (var (key, value) in environment)
        {
            settings[key] = value;
        }

        return new ServiceProcess(ChildProcess.StartDotnet(Path.GetFileNameWithoutExtension(dll), dll, settings), address);
    }

    /// <summary>As <see cref="Start"/>, returning once the process's grpc.health.v1 says SERVING; throws with its output if it never does.</summary>
    public static async Task<ServiceProcess> StartServingAsync(string dll, IReadOnlyDictionary<string, string> environment, string? address = null)
    {
        var service = Start(dll, environment, address);
        try
        {
            await service.Process.WaitServingAsync(service.Channel, TimeSpan.FromSeconds(60));
        }
        catch (InvalidOperationException)
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Process.DisposeAsync();
    }
}
