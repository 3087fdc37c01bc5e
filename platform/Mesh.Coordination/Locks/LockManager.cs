using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Coordination.Locks;

/// <summary>Acquisition with a wait time and jittered retries on top of one <see cref="ILockBackend"/>.</summary>
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
        for (var attempts = 1; ; attempts++)
        {
            var attempt = await backend.TryLockAsync(request.Resource, request.Owner, request.Expiry, cancellationToken);
            var waited = clock.GetElapsedTime(started);
            if (attempt.Acquired)
            {
                LockTelemetry.Grants.Add(1);
                LockTelemetry.Wait.Record(waited.TotalMilliseconds);
                activity?.SetTag("mesh.lock.fencing_token", attempt.FencingToken).SetTag("mesh.lock.attempts", attempts);
                return new LockHandle(backend, request, attempt, clock, logger);
            }

            var remaining = request.WaitTime - waited;
            if (remaining <= TimeSpan.Zero)
            {
                return NotGranted(request, attempt.Outcome, waited, attempts, activity);
            }

            await Task.Delay(Jitter(request.RetryInterval, remaining), clock, cancellationToken);
        }
    }

    private LockHandle? NotGranted(LockRequest request, LockAttemptOutcome outcome, TimeSpan waited, int attempts, Activity? activity)
    {
        LockTelemetry.NotGranted.Add(1);
        activity?.SetTag("mesh.lock.attempts", attempts).SetStatus(ActivityStatusCode.Error, outcome.ToString());
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
