using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Locks;

/// <summary>
/// Acquisition with a wait time on top of one <see cref="ILockBackend"/>: in the resource's queue
/// when the backend keeps one (<see cref="IFairLockBackend"/>), otherwise by jittered retries.
/// </summary>
public sealed class LockManager(
    ILockBackend backend, IOptions<LockOptions> options, TimeProvider clock, ILogger<LockManager> logger) : ILockManager
{
    public Task<LockHandle?> TryAcquireAsync(string resource, string owner, CancellationToken cancellationToken) =>
        TryAcquireAsync(LockRequest.WithDefaults(resource, owner, options.Value), cancellationToken);

    public async Task<LockHandle?> TryAcquireAsync(LockRequest request, CancellationToken cancellationToken)
    {
        Validate(request);
        using var activity = LockTelemetry.Source.StartActivity("lock acquire");
        activity?.SetTag("mesh.lock.resource", request.Resource);
        var started = clock.GetTimestamp();
        var (attempt, attempts) = request.WaitTime > TimeSpan.Zero && backend is IFairLockBackend fair
            ? (await fair.LockInTurnAsync(request.Resource, request.Owner, request.Expiry, request.WaitTime, cancellationToken), (int?)null)
            : await PollAsync(request, started, cancellationToken);
        var waited = clock.GetElapsedTime(started);
        activity?.SetTag("mesh.lock.attempts", attempts);
        if (!attempt.Acquired)
        {
            return NotGranted(request, attempt.Outcome, waited, activity);
        }

        LockTelemetry.Grants.Add(1);
        LockTelemetry.Wait.Record(waited.TotalMilliseconds);
        activity?.SetTag("mesh.lock.fencing_token", attempt.FencingToken);
        return new LockHandle(backend, request, attempt, clock, logger);
    }

    /// <summary>Attempts every retry interval (jittered) until one succeeds or the wait runs out; the last attempt and the count.</summary>
    private async Task<(LockAttempt Attempt, int? Attempts)> PollAsync(LockRequest request, long started, CancellationToken cancellationToken)
    {
        for (var attempts = 1; ; attempts++)
        {
            var attempt = await backend.TryLockAsync(request.Resource, request.Owner, request.Expiry, cancellationToken);
            var remaining = request.WaitTime - clock.GetElapsedTime(started);
            if (attempt.Acquired || remaining <= TimeSpan.Zero)
            {
                return (attempt, attempts);
            }

            await Task.Delay(Jitter(request.RetryInterval, remaining), clock, cancellationToken);
        }
    }

    private LockHandle? NotGranted(LockRequest request, LockAttemptOutcome outcome, TimeSpan waited, Activity? activity)
    {
        LockTelemetry.NotGranted.Add(1);
        activity?.SetStatus(ActivityStatusCode.Error, outcome.ToString());
        if (outcome != LockAttemptOutcome.Unavailable)
        {
            return null;
        }

        LockLog.Unavailable(logger, request.Resource, (long)waited.TotalMilliseconds);
        throw new LockUnavailableException(request.Resource);
    }

    /// <summary>Between half and one and a half retry intervals, so that waiters do not retry in lockstep.</summary>
    private static TimeSpan Jitter(TimeSpan interval, TimeSpan remaining) =>
        TimeSpan.FromTicks(Math.Min(remaining.Ticks, (long)(interval.Ticks * (0.5 + Random.Shared.NextDouble()))));

    private static void Validate(LockRequest request)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Resource);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(request.Expiry, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.WaitTime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(request.RetryInterval, TimeSpan.Zero);
    }
}
