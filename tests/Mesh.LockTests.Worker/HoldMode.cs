using Mesh.Locks;

namespace Mesh.LockTests.Worker;

/// <summary>Holds the lock until told to write, so that a test can pause this process past the lock's expiry.</summary>
public static class HoldMode
{
    public static async Task<int> RunAsync(WorkerOptions options, CancellationToken cancellationToken)
    {
        await using var client = await LockClient.ConnectAsync(options["redis"]);
        var expiry = TimeSpan.FromMilliseconds(options.Int("expiry-ms"));
        await using var held = await client.Locks.TryAcquireAsync(
            new LockRequest(options["resource"], $"holder-{Environment.ProcessId}", expiry, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(20)),
            cancellationToken) ?? throw new TimeoutException("the lock was not free");
        held.LockLost.Register(() => Console.WriteLine("lost"));
        Console.WriteLine($"acquired {held.FencingToken}");

        await Console.In.ReadLineAsync(cancellationToken);
        var result = await client.Database.FencedStringSetAsync(
            options["fence-key"], held.FencingToken, options["key"], options["value"], expiry: null, cancellationToken);
        Console.WriteLine(result.Applied ? "written" : $"rejected {result.HighestToken}");
        return 0;
    }
}
