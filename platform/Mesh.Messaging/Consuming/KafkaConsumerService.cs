using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Messaging.Consuming;

/// <summary>
/// The one consumer of the service: a single group member subscribed to the topics of every
/// registered handler, dispatching by the message-type header. Records are processed one at a
/// time, which keeps per-key (per-partition) order; an offset is stored only after its record's
/// outcome was decided, and librdkafka commits stored offsets in the background, on revocation
/// and on close.
/// </summary>
internal sealed class KafkaConsumerService(
    RecordProcessor processor,
    ConsumerFactory consumers,
    IOptions<KafkaOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<KafkaConsumerService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Consume blocks inside librdkafka, so the loop gets a thread of its own instead of a pool
        // thread, and none of the ambient context (Activity.Current, baggage) of the host's start.
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    private void Run(CancellationToken stoppingToken)
    {
        using var failed = new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, failed.Token);
        IConsumer<string, byte[]>? consumer = null;
        try
        {
            consumer = consumers.Create(onFatal: failed.Cancel);
            Log.Subscribing(logger, options.Value.ConsumerGroup, string.Join(", ", processor.Topics));
            consumer.Subscribe(processor.Topics);
            ConsumeUntilStopped(consumer, stop.Token);
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // Shutdown or a fatal error: the record in progress, if any, keeps its offset unstored.
        }
        catch (ConsumeException exception) when (exception.Error.IsFatal)
        {
            Log.FatalError(logger, "consumer", exception.Error.Code, exception.Error.Reason);
            failed.Cancel();
        }
        catch (Exception exception)
        {
            Log.ConsumerCrashed(logger, exception);
            failed.Cancel();
        }
        finally
        {
            if (consumer is not null)
            {
                Close(consumer);
            }
        }

        if (failed.IsCancellationRequested)
        {
            lifetime.StopApplication();
        }
    }

    private void ConsumeUntilStopped(IConsumer<string, byte[]> consumer, CancellationToken stop)
    {
        while (true)
        {
            ConsumeResult<string, byte[]> record;
            try
            {
                record = consumer.Consume(stop);
            }
            catch (ConsumeException exception) when (!exception.Error.IsFatal)
            {
                Log.ConsumeFailed(logger, exception.Error.Code, exception.Error.Reason);
                continue;
            }

            if (record.IsPartitionEOF)
            {
                continue;
            }

            // Blocking on the handler keeps the loop on its own thread; there is no
            // synchronization context here to deadlock on.
            processor.ProcessAsync(record, stop).GetAwaiter().GetResult();
            StoreOffset(consumer, record);
        }
    }

    private void StoreOffset(IConsumer<string, byte[]> consumer, ConsumeResult<string, byte[]> record)
    {
        try
        {
            consumer.StoreOffset(record);
        }
        catch (KafkaException exception)
        {
            // The partition was taken away while the record was handled (e.g. max.poll.interval.ms
            // exceeded); its new owner will handle the record again.
            Log.StoreOffsetFailed(logger, record.Offset.Value, record.Topic, record.Partition.Value, exception.Error.Reason);
        }
    }

    private void Close(IConsumer<string, byte[]> consumer)
    {
        try
        {
            consumer.Close(); // Commits the stored offsets and leaves the group at once.
        }
        catch (KafkaException exception)
        {
            Log.CloseFailed(logger, exception.Error.Reason);
        }
        finally
        {
            consumer.Dispose();
        }
    }
}
