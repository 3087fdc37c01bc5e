using Microsoft.Extensions.Hosting;

namespace Mesh.Messaging.Publishing;

/// <summary>
/// Flushes the producer on shutdown. Registered before any consumer, so it stops after them and
/// also delivers what handlers published while finishing their last record.
/// </summary>
internal sealed class ProducerFlushService(KafkaEventPublisher publisher) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        publisher.Flush(cancellationToken);
        return Task.CompletedTask;
    }
}
