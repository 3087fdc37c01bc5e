using System.Collections.Concurrent;
using Mesh.Locks;

namespace Mesh.LockTests.Worker;

/// <summary>Increments a counter non-atomically (GET, then SET) under the lock, from many workers at once.</summary>
public static class IncrementMode
{
    public static async Task<int> RunAsync(WorkerOptions options, CancellationToken cancellationToken)
    {
        await using var client = await LockClient.ConnectAsync(options["redis"]);
        var remaining = options.Int("increments");
        var observed = new ConcurrentQueue<(long Read, long Token)>();
        var owner = $"worker-{Environment.ProcessId}";

        await Task.WhenAll(Enumerable.Range(0, options.Int("workers")).Select(worker => Task.Run(async () =>
        {
            var request = new LockRequest(
                options["resource"], $"{owner}-{worker}", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(4));
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                await using var held = await client.Locks.TryAcquireAsync(request, cancellationToken)
                    ?? throw new TimeoutException($"{request.Owner} waited 60 s for the lock");
                var read = (long?)await client.Database.StringGetAsync(options["counter"]) ?? 0;
                await client.Database.StringSetAsync(options["counter"], read + 1);
                observed.Enqueue((read, held.FencingToken));
            }
        }, cancellationToken)));

        await File.WriteAllLinesAsync(options["out"], observed.Select(o => $"{o.Read} {o.Token}"), cancellationToken);
        return 0;
    }
}
