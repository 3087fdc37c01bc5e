using System.Diagnostics.Metrics;

namespace Mesh.Orders.Ordering;

/// <summary>The order service's own instruments, meter <c>Mesh.Orders</c>.</summary>
public sealed class OrderMetrics
{
    public const string MeterName = "Mesh.Orders";

    private readonly Counter<long> _timedOut;
    private readonly Counter<long> _cancelled;
    private long _queued;

    public OrderMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _timedOut = meter.CreateCounter<long>("mesh.orders.timed_out", "{order}",
            "Orders the sweeper rejected because no credit decision came within Orders:SettleWithin.");
        _cancelled = meter.CreateCounter<long>("mesh.orders.cancelled", "{order}",
            "Orders cancelled by their owner; mesh.order.was_confirmed tells a pending from a confirmed one.");
        meter.CreateObservableGauge("mesh.orders.settlement.queued", () => Volatile.Read(ref _queued), "{order}",
            "Orders with unfinished settlement business (pending, or a cancellation not yet published), as of the last sweep.");
    }

    public void TimedOut() => _timedOut.Add(1);

    public void Cancelled(bool wasConfirmed) => _cancelled.Add(1, new KeyValuePair<string, object?>("mesh.order.was_confirmed", wasConfirmed));

    public void Queued(long count) => Volatile.Write(ref _queued, count);
}
