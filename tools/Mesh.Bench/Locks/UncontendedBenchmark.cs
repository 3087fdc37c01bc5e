using System.Diagnostics;
using Mesh.Locks;
using StackExchange.Redis;

namespace Mesh.Bench.Locks;

/// <summary>
/// One caller, one resource, nobody else: acquire then release as fast as one connection allows,
/// through the library (lock + fencing counter, auto-renewing handle, owner-checked release) and
/// through the two raw commands, on the same multiplexer.
/// </summary>
public sealed class UncontendedBenchmark(ILockManager locks, IDatabase database)
{
    private readonly RawLock _raw = new(database);
    private readonly LockRequest _request = new(
        "bench:uncontended", "bench", TimeSpan.FromSeconds(30), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));

    public Task<Measured> RawAsync(TimeSpan length, CancellationToken cancellationToken) =>
        LoopAsync(() => _raw.AcquireAndReleaseAsync("bench:uncontended:raw", Guid.NewGuid().ToString("N")), length, cancellationToken);

    public Task<Measured> LibraryAsync(TimeSpan length, CancellationToken cancellationToken) =>
        LoopAsync(async () =>
        {
            await using var held = await locks.TryAcquireAsync(_request, cancellationToken)
                ?? throw new InvalidOperationException("The uncontended lock was held: is something else using this Redis?");
        }, length, cancellationToken);

    private static async Task<Measured> LoopAsync(Func<Task> operation, TimeSpan length, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var operations = 0L;
        while (clock.Elapsed < length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await operation();
            operations++;
        }

        return new Measured(operations, clock.Elapsed);
    }
}
