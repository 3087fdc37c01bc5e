using Microsoft.Extensions.Options;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Finishes what the <see cref="SettlementQueue"/> holds once it falls due, on every replica at
/// once safely: each entry is claimed first (only one replica wins it; if that one dies, the entry
/// falls due again after <c>Orders:SweepClaim</c>). A placed order still unsettled at its deadline
/// is rejected with reason <c>timed_out</c>: the rejection is recorded like any outcome (so a credit
/// decision that came meanwhile wins instead) and published; the user service then releases any
/// credit it reserved or reserves later. A recorded cancellation not yet published is published.
/// </summary>
public sealed partial class OrderSweeper(
    SettlementQueue queue,
    OrderDecisions decisions,
    OrderViews views,
    OrderSettler settler,
    OrderMetrics metrics,
    IOptions<OrderOptions> options,
    TimeProvider clock,
    ILogger<OrderSweeper> logger) : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Randomised, so replicas started together do not sweep in lockstep.
            var pause = options.Value.SweepInterval * (0.8 + (0.4 * Random.Shared.NextDouble()));
            try
            {
                await Task.Delay(pause, clock, stoppingToken);
                while (await SweepAsync(stoppingToken) == Batch)
                {
                    // A full batch: more may be due; go on at once.
                }

                metrics.Queued(await queue.CountAsync());
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Redis unreachable, say: the entries stay queued and the next sweep tries again.
                LogSweepFailed(exception);
            }
        }
    }

    /// <summary>One pass over what is due now; returns how many entries were due.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = await queue.DueAsync(now, Batch);
        foreach (var (task, score) in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await queue.ClaimAsync(task, score, now + options.Value.SweepClaim) is not { } claimed)
            {
                continue; // Another replica took it.
            }

            try
            {
                await FinishAsync(task, now, cancellationToken);
                await queue.FinishAsync(task, claimed);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogTaskFailed(exception, task.Kind, task.OrderId);
            }
        }

        return due.Count;
    }

    private async Task FinishAsync(SettlementTask task, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (task.Kind == SettlementTaskKind.Cancellation)
        {
            if (await decisions.FindAsync(task.UserId, task.OrderId) is { Cancellation: { } cancellation })
            {
                await settler.PublishAsync([cancellation], cancellationToken);
            }

            return;
        }

        if (await decisions.FindAsync(task.UserId, task.OrderId) is not null)
        {
            // Settled in time; whoever recorded the outcome publishes it (its cause is retried until then).
            return;
        }

        var order = await views.FindAsync(task.UserId, task.OrderId);
        var deadline = options.Value.SettleWithin;
        var timeout = OrderMapper.ToTimedOut(task.UserId, task.OrderId, order?.TotalCents ?? 0, deadline, now);
        var settlement = await decisions.SettleAsync(timeout, cancellationToken);
        await settler.PublishAsync(settlement.Events, cancellationToken);
        if (settlement.Outcome.Equals(timeout))
        {
            metrics.TimedOut();
            LogTimedOut(task.OrderId, task.UserId, deadline);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} of {UserId} timed out: no credit decision within {Deadline}")]
    private partial void LogTimedOut(string orderId, string userId, TimeSpan deadline);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settlement task {Kind} of order {OrderId} failed; it falls due again after its claim")]
    private partial void LogTaskFailed(Exception exception, SettlementTaskKind kind, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The settlement sweep failed; the next one tries again")]
    private partial void LogSweepFailed(Exception exception);
}
