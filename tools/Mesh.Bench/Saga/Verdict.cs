namespace Mesh.Bench.Saga;

/// <summary>
/// Whether the saga kept every order: none answered and never notified (lost); none notified
/// twice, and none in the users' order lists that no answer or notification named, nor listed
/// twice (doubled: a retried call that made a second order would show there).
/// </summary>
public sealed record Verdict(long Orders, long Lost, long NotifiedTwice, long Unknown, long Listed, long FailedCalls)
{
    public bool Holds => Lost == 0 && NotifiedTwice == 0 && Unknown == 0 && Listed == Orders;

    public static Verdict Of(OrderLedger ledger, IReadOnlyList<string> listed)
    {
        var known = ledger.Entries.ToDictionary(e => e.Key, e => e.Value);
        return new Verdict(
            known.Count,
            known.Values.LongCount(o => o.Placed && o.Notifications == 0),
            known.Values.LongCount(o => o.Notifications > 1),
            listed.Distinct().LongCount(id => !known.ContainsKey(id)) + (listed.Count - listed.Distinct().Count()),
            listed.Count,
            ledger.FailedCalls);
    }

    public override string ToString() =>
        $"{(Holds ? "OK" : "FAILED")}: {Orders:N0} orders, {Lost:N0} lost (answered, never notified), {NotifiedTwice:N0} notified twice, " +
        $"{Listed:N0} listed by ListOrders ({Unknown:N0} unknown or repeated); " +
        $"{FailedCalls:N0} PlaceOrder calls failed after their retries";
}
