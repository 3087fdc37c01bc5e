namespace Mesh.EventFaultTests.Worker;

/// <summary>
/// The Redis keys of one run, shared with the tests (linked into Mesh.EventFaultTests) so that
/// both sides agree without the tests loading this program. One hash tag, so the script's keys
/// would also sit in one slot of a Redis Cluster.
/// </summary>
public sealed record EffectKeys(string Prefix)
{
    /// <summary>Hash: event id to the number of times it was delivered; the idempotency record.</summary>
    public string Deliveries => $"{{{Prefix}}}:deliveries";

    /// <summary>Hash: order id to the sum of the total_cents of its applied events (the effect).</summary>
    public string Totals => $"{{{Prefix}}}:totals";

    /// <summary>String: how many times the effect was applied; exactly once per event means it equals the distinct ids.</summary>
    public string Applied => $"{{{Prefix}}}:applied";

    /// <summary>String: deliveries of an event already applied, absorbed without effect.</summary>
    public string Duplicates => $"{{{Prefix}}}:duplicates";

    /// <summary>Hash: worker name to the deliveries it handled, so a test knows the worker it kills had work.</summary>
    public string HandledBy => $"{{{Prefix}}}:handled-by";
}
