using System.Diagnostics;
using Confluent.Kafka;
using Mesh.Bench.Locks;
using Mesh.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Bench.Events;

/// <summary>
/// Publishes for a fixed time with the same number of publishes in flight, each phase on a
/// fresh broker: through <see cref="IEventPublisher"/>, through the raw producer's ProduceAsync
/// (the like-for-like baseline: one awaited task per record) and through Produce with a delivery
/// handler (no task per record, librdkafka's fastest path).
/// </summary>
public static class PublishBenchmark
{
    public static async Task<Measured> LibraryAsync(int inFlight, TimeSpan length, CancellationToken cancellationToken)
    {
        using var broker = new BenchBroker();
        var host = await LibraryHost.StartAsync(broker.Bootstrap, consumerGroup: null, handlers: null, cancellationToken);
        try
        {
            var publisher = host.Services.GetRequiredService<IEventPublisher>();
            // The first publish connects and gets the producer id; the clock starts after it.
            await publisher.PublishAsync(BenchEvents.Create(0), cancellationToken);
            return await ClosedLoopAsync(inFlight, length, sequence => publisher.PublishAsync(BenchEvents.Create(sequence), cancellationToken));
        }
        finally
        {
            await LibraryHost.StopAsync(host);
        }
    }

    public static async Task<Measured> RawProduceAsync(int inFlight, TimeSpan length, CancellationToken cancellationToken)
    {
        using var broker = new BenchBroker();
        using var producer = RawClients.Producer(broker.Bootstrap);
        var topic = BenchEvents.Contract.Topic;
        await producer.ProduceAsync(topic, BenchEvents.RawMessage(BenchEvents.Create(0)), cancellationToken);
        return await ClosedLoopAsync(inFlight, length, async sequence =>
        {
            var result = await producer.ProduceAsync(topic, BenchEvents.RawMessage(BenchEvents.Create(sequence)), cancellationToken);
            if (result.Status != PersistenceStatus.Persisted)
            {
                throw new InvalidOperationException($"raw produce ended {result.Status}");
            }
        });
    }

    public static async Task<Measured> RawDeliveryHandlerAsync(int inFlight, TimeSpan length, CancellationToken cancellationToken)
    {
        using var broker = new BenchBroker();
        using var producer = RawClients.Producer(broker.Bootstrap);
        var topic = BenchEvents.Contract.Topic;
        await producer.ProduceAsync(topic, BenchEvents.RawMessage(BenchEvents.Create(0)), cancellationToken);

        using var slots = new SemaphoreSlim(inFlight);
        var delivered = 0L;
        var failed = 0L;
        var sequence = 0L;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < length)
        {
            await slots.WaitAsync(cancellationToken);
            producer.Produce(topic, BenchEvents.RawMessage(BenchEvents.Create(++sequence)), report =>
            {
                Interlocked.Increment(ref report.Error.IsError ? ref failed : ref delivered);
                slots.Release();
            });
        }

        producer.Flush(cancellationToken);
        var elapsed = clock.Elapsed;
        return failed == 0 ? new Measured(delivered, elapsed) : throw new InvalidOperationException($"{failed} raw deliveries failed");
    }

    /// <summary><paramref name="inFlight"/> loops, each awaiting one operation after the other, for about <paramref name="length"/>.</summary>
    private static async Task<Measured> ClosedLoopAsync(int inFlight, TimeSpan length, Func<long, Task> operation)
    {
        var sequence = 0L;
        var completed = 0L;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < length)
            {
                await operation(Interlocked.Increment(ref sequence));
                Interlocked.Increment(ref completed);
            }
        })));
        return new Measured(completed, clock.Elapsed);
    }
}
