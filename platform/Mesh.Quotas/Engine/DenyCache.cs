namespace Mesh.Quotas.Engine;

/// <summary>
/// Buckets known to be too empty, so a call can be refused without Redis. An entry keeps the
/// tokens Redis reported and the local time the question was asked (never later than Redis's
/// answer), so tokens + refill × elapsed is an upper bound: other gateways only ever take tokens.
/// A refusal from here is therefore always one Redis would also give.
/// </summary>
internal sealed class DenyCache(TimeProvider clock)
{
    // Bounded memory beats a perfect cache: every entry is only an optimisation.
    private readonly BoundedMap<Entry> _entries = new(maxEntries: 100_000);

    /// <summary>When the bucket certainly lacks <paramref name="cost"/>, how long until it might not.</summary>
    public bool TryDeny(string key, double cost, out TimeSpan retryAfter, out double tokens)
    {
        retryAfter = TimeSpan.Zero;
        tokens = 0;
        if (!_entries.TryGetValue(key, out var entry))
        {
            return false;
        }

        tokens = Math.Min(entry.Capacity, entry.Tokens + clock.GetElapsedTime(entry.AskedAt).TotalSeconds * entry.Rate);
        if (tokens >= cost)
        {
            _entries.TryRemove(KeyValuePair.Create(key, entry));
            return false;
        }

        retryAfter = TimeSpan.FromSeconds((cost - tokens) / entry.Rate);
        return true;
    }

    public void Remember(string key, double tokens, double capacity, double rate, long askedAt)
    {
        _entries.Set(key, new Entry(tokens, capacity, rate, askedAt));
    }

    private readonly record struct Entry(double Tokens, double Capacity, double Rate, long AskedAt);
}
