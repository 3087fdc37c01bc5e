using System.Diagnostics;
using Mesh.Locks;

namespace Mesh.Bench.Locks;

/// <summary>Many workers take and release one resource for a fixed time; each grant's wait is recorded.</summary>
public sealed class ContendedBenchmark(ILockManager locks, string resource)
{
    public async Task<ContendedResult> RunAsync(int workers, TimeSpan retryInterval, TimeSpan length, CancellationToken cancellationToken)
    {
        using var phase = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        phase.CancelAfter(length);
        var clock = Stopwatch.StartNew();
        var waits = await Task.WhenAll(Enumerable.Range(0, workers).Select(worker =>
            Task.Run(() => WorkAsync(new LockRequest(resource, $"worker-{worker}", TimeSpan.FromSeconds(30), length, retryInterval), phase.Token))));
        var elapsed = clock.Elapsed;
        cancellationToken.ThrowIfCancellationRequested();

        var all = waits.SelectMany(w => w).Order().ToList();
        return new ContendedResult(new Measured(all.Count, elapsed), all, waits.Select(w => w.Count).Order().ToList());
    }

    private async Task<List<double>> WorkAsync(LockRequest request, CancellationToken phase)
    {
        var waits = new List<double>();
        try
        {
            while (!phase.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                await using var held = await locks.TryAcquireAsync(request, phase);
                if (held is not null)
                {
                    waits.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }
        catch (OperationCanceledException) when (phase.IsCancellationRequested)
        {
            // The phase is over; a wait cut short is not a grant.
        }

        return waits;
    }
}
