using Grpc.Net.Client;
using Mesh.Testing;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>A gateway and the notification service behind it, started by one test for itself.</summary>
public sealed class ExtraGateway(string address, ChildProcess notifications, ChildProcess gateway) : IAsyncDisposable
{
    public string Address { get; } = address;

    public GrpcChannel Channel { get; } = GrpcChannel.ForAddress(address);

    public bool HasExited => notifications.HasExited || gateway.HasExited;

    public string Output => $"----- notifications\n{notifications.Output}\n----- gateway\n{gateway.Output}";

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await gateway.DisposeAsync();
        await notifications.DisposeAsync();
    }
}
