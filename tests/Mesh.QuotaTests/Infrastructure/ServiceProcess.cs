using Grpc.Net.Client;
using Mesh.Testing;

namespace Mesh.QuotaTests.Infrastructure;

/// <summary>A built Mesh runnable (gateway, sidecar) as its own process on a free port, with a channel to it; disposing kills it.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private ServiceProcess(ChildProcess process, string address)
    {
        Process = process;
        Channel = GrpcChannel.ForAddress(address);
    }

    public ChildProcess Process { get; }

    public GrpcChannel Channel { get; }

    public static ServiceProcess Start(string dll, IReadOnlyDictionary<string, string> environment)
    {
        var address = $"http://127.0.0.1:{FreePort.Next()}";
        var settings = new Dictionary<string, string> { ["Urls"] = address, ["Logging__LogLevel__Default"] = "Warning" };
        foreach (var (key, value) in environment)
        {
            settings[key] = value;
        }

        return new ServiceProcess(ChildProcess.StartDotnet(Path.GetFileNameWithoutExtension(dll), dll, settings), address);
    }

    public static async Task<ServiceProcess> StartServingAsync(string dll, IReadOnlyDictionary<string, string> environment)
    {
        var service = Start(dll, environment);
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
