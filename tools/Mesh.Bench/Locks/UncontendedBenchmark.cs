using System.Diagnostics;
using Mesh.Locks;
using StackExchange.Redis;

namespace Mesh.Bench.Locks;

/// <summary>
/// One caller, one resource, nobody else: acquire then release as fast as one connection allows,
/// through the library (lock + fencing counter, auto-renewing handle, owner-checked release), with
/// and without a wait allowed, and through the two raw commands, on the same multiplexer.
/// </summary>
public sealed class UncontendedBenchmark(ILockManager locks, IDatabase database)
{
    private readonly RawLock _raw = new(database);
    private readonly LockRequest _request = new(
        "bench:uncontended", "bench", TimeSpan.FromSeconds(30), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));

    // As the users service's credit lock asks: it would wait, but nobody holds the lock.
    private readonly LockRequest _waiting = new(
        "bench:uncontended:wait", "bench", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1));

    public Task<Measured> RawAsync(TimeSpan length, CancellationToken cancellationToken) =>
        LoopAsync(() => _raw.AcquireAndReleaseAsync("bench:uncontended:raw", Guid.NewGuid().ToString("N")), length, cancellationToken);

    /// <summary>Acquires that do not wait (<c>WaitTime</c> zero), as TryLock does.</summary>
    public Task<Measured> LibraryAsync(TimeSpan length, CancellationToken cancellationToken) => LibraryAsync(_request, length, cancellationToken);

    /// <summary>Acquires that may wait (5 s) and never have to: what an acquire costs before anyone queues.</summary>
    public Task<Measured> LibraryMayWaitAsync(TimeSpan length, CancellationToken cancellationToken) => LibraryAsync(_waiting, length, cancellationToken);

    private Task<Measured> LibraryAsync(LockRequest request, TimeSpan length, CancellationToken cancellationToken) =>
        LoopAsync(async () =>
        {
            await using var held = await locks.TryAcquireAsync(request, cancellationToken)
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
