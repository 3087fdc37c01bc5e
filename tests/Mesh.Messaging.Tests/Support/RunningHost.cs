using Microsoft.Extensions.Hosting;

namespace Mesh.Messaging.Tests.Support;

/// <summary>A started host that is stopped gracefully (consumer closed, producer flushed) on dispose.</summary>
public sealed class RunningHost(IHost host) : IAsyncDisposable
{
    public IServiceProvider Services => host.Services;

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(MessagingHost.Wait);
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }
}
