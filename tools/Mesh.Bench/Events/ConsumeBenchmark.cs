using System.Diagnostics;
using Mesh.Bench.Infrastructure;
using Mesh.Bench.Locks;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Bench.Events;

/// <summary>
/// Reads the same pre-filled topic from the start in a new consumer group per phase: through the
/// library with a handler that does nothing, and through a raw consumer that does what the
/// library must do per record at the least (read the type header, parse the payload, store the
/// offset). Measured from the start of the consumer (before it subscribes) to the last record
/// handled, group join and first fetch included on both sides: measuring from the first record
/// instead would favour whichever side is slower to handle its first record, since librdkafka
/// keeps prefetching meanwhile.
/// </summary>
public sealed class ConsumeBenchmark(BenchBroker broker, int records)
{
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(3);
    private int _groups;

    public async Task PrefillAsync(CancellationToken cancellationToken)
    {
        using var producer = RawClients.Producer(broker.Bootstrap);
        for (var i = 0; i < records; i++)
        {
            producer.Produce(BenchEvents.Contract.Topic, BenchEvents.RawMessage(BenchEvents.Create(i)));
            if (i % 10_000 == 0)
            {
                producer.Poll(TimeSpan.Zero);
            }
        }

        await Task.Run(() => producer.Flush(cancellationToken), cancellationToken);
    }

    public async Task<ConsumeMeasured> LibraryAsync(CancellationToken cancellationToken)
    {
        var probe = new HandlerProbe(records);
        var host = LibraryHost.Build(broker.Bootstrap, NextGroup("library"), services => services.AddSingleton(probe));
        try
        {
            var (cpu, threads, allocated) = (Environment.CpuUsage.TotalTime, ThreadCpu.Now(), GC.GetTotalAllocatedBytes());
            var start = Stopwatch.GetTimestamp();
            await host.StartAsync(cancellationToken);
            await probe.Reached.WaitAsync(Within, cancellationToken);
            return new ConsumeMeasured(
                new Measured(records, Stopwatch.GetElapsedTime(start, probe.TargetReachedAt)), Stopwatch.GetElapsedTime(start, probe.FirstHandledAt),
                Environment.CpuUsage.TotalTime - cpu, ThreadCpu.Now().Since(threads), GC.GetTotalAllocatedBytes() - allocated);
        }
        finally
        {
            await LibraryHost.StopAsync(host);
        }
    }

    public Task<ConsumeMeasured> RawAsync(CancellationToken cancellationToken)
    {
        var group = NextGroup("raw");
        return Task.Factory.StartNew(() =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Within);
            var (cpu, threads, allocated) = (Environment.CpuUsage.TotalTime, ThreadCpu.Now(), GC.GetTotalAllocatedBytes());
            var start = Stopwatch.GetTimestamp();
            using var consumer = RawClients.Consumer(broker.Bootstrap, group);
            consumer.Subscribe(BenchEvents.Contract.Topic);
            var handled = 0;
            long first = 0;
            while (handled < records)
            {
                var record = consumer.Consume(timeout.Token);
                if (record.IsPartitionEOF || record.Message.Headers?.TryGetLastBytes(MessageHeaders.MessageType, out _) != true)
                {
                    continue;
                }

                _ = OrderPlaced.Parser.ParseFrom(record.Message.Value);
                consumer.StoreOffset(record);
                if (handled++ == 0)
                {
                    first = Stopwatch.GetTimestamp();
                }
            }

            var elapsed = Stopwatch.GetElapsedTime(start);
            var (used, byThread, bytes) = (Environment.CpuUsage.TotalTime - cpu, ThreadCpu.Now().Since(threads), GC.GetTotalAllocatedBytes() - allocated);
            consumer.Close();
            return new ConsumeMeasured(new Measured(records, elapsed), Stopwatch.GetElapsedTime(start, first), used, byThread, bytes);
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private string NextGroup(string side) => $"bench-consume-{side}-{Interlocked.Increment(ref _groups)}";
}

/// <summary>
/// One consume phase: the whole of it (what the floor judges), the part before the first record
/// was handled (the group join and the first fetch), so that the steady part can be told apart,
/// and the CPU time the process used (in all, and by kind of thread) and the bytes it allocated
/// meanwhile (every thread: the in-process broker's too).
/// </summary>
public readonly record struct ConsumeMeasured(
    Measured Whole, TimeSpan ToFirst, TimeSpan Cpu, IReadOnlyDictionary<string, TimeSpan> CpuByThread, long Allocated)
{
    /// <summary>The records after the first and the time they took.</summary>
    public Measured AfterFirst => new(Whole.Operations - 1, Whole.Elapsed - ToFirst);

    /// <summary>
    /// The process's CPU time per record, in microseconds: unlike the rate, it does not move with
    /// what else the machine runs, so it tells the library's cost apart from the host's noise.
    /// </summary>
    public double CpuMicrosecondsPerRecord => Cpu.TotalMicroseconds / Whole.Operations;

    /// <summary>The CPU time of one group of threads (<see cref="ThreadCpu.Groups"/>) per record, in microseconds.</summary>
    public double CpuMicrosecondsPerRecordOn(string threads) => CpuByThread[threads].TotalMicroseconds / Whole.Operations;

    /// <summary>Managed bytes allocated per record (what the garbage collector's share of the CPU follows).</summary>
    public double BytesPerRecord => (double)Allocated / Whole.Operations;
}
