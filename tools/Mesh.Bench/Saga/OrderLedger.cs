using System.Collections.Concurrent;

namespace Mesh.Bench.Saga;

/// <summary>
/// Every order the benchmark placed or was notified of, by order id. A notification can arrive
/// before the PlaceOrder answer naming its order is read, so either side may create the entry.
/// </summary>
public sealed class OrderLedger
{
    private readonly ConcurrentDictionary<string, OrderTrack> _orders = new();
    private long _failedCalls;

    public OrderTrack Track(string orderId) => _orders.GetOrAdd(orderId, _ => new OrderTrack());

    public IReadOnlyCollection<OrderTrack> All => (IReadOnlyCollection<OrderTrack>)_orders.Values;

    public IEnumerable<KeyValuePair<string, OrderTrack>> Entries => _orders;

    public IEnumerable<OrderTrack> In(string phase) => _orders.Values.Where(o => o.Phase == phase);

    /// <summary>PlaceOrder calls that failed even after their retries (no order id known).</summary>
    public long FailedCalls => Interlocked.Read(ref _failedCalls);

    public void CallFailed() => Interlocked.Increment(ref _failedCalls);
}
