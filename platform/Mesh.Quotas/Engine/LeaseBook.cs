namespace Mesh.Quotas.Engine;

/// <summary>
/// Tokens this process leased from shared buckets, handed out to calls without Redis until they
/// run out or the lease ends. A call is served from leases only when every one of its buckets
/// holds enough, and then from all of them (all or nothing, as in Redis).
/// </summary>
internal sealed class LeaseBook(TimeProvider clock)
{
    // Dropping leases only ever under-admits.
    private readonly BoundedMap<Lease> _leases = new(maxEntries: 100_000);

    public bool IsEmpty => _leases.IsEmpty;

    public QuotaVerdict? TryServe(IReadOnlyList<QuotaCharge> charges)
    {
        var now = clock.GetTimestamp();
        var decisions = new QuotaDecision[charges.Count];
        for (var i = 0; i < charges.Count; i++)
        {
            var charge = charges[i];
            if (charge.Policy.Shadow || !_leases.TryGetValue(charge.Key, out var lease) || !lease.TryTake(charge.Cost, now, out var left))
            {
                for (var j = 0; j < i; j++)
                {
                    _leases.TryGetValue(charges[j].Key, out var taken);
                    taken?.GiveBack(charges[j].Cost);
                }

                return null;
            }

            var snapshot = lease.Snapshot;
            decisions[i] = snapshot with { Remaining = snapshot.Remaining + left };
        }

        return new QuotaVerdict(QuotaOutcome.Allowed, charges, decisions);
    }

    /// <summary>Adds <paramref name="tokens"/> to the lease on <paramref name="key"/>; returns the tokens it now holds.</summary>
    public double Add(string key, double tokens, QuotaDecision redisState, TimeSpan lifetime)
    {
        var expiresAt = clock.GetTimestamp() + (long)(lifetime.TotalSeconds * clock.TimestampFrequency);
        return _leases.GetOrAdd(key, static () => new Lease()).Refill(tokens, expiresAt, redisState, clock.GetTimestamp());
    }

    private sealed class Lease
    {
        private readonly Lock _gate = new();
        private double _tokens;
        private long _expiresAt;

        public QuotaDecision Snapshot { get; private set; }

        public bool TryTake(double cost, long now, out double left)
        {
            lock (_gate)
            {
                if (now >= _expiresAt)
                {
                    _tokens = 0;
                }

                left = _tokens;
                if (_tokens < cost)
                {
                    return false;
                }

                _tokens -= cost;
                left = _tokens;
                return true;
            }
        }

        public void GiveBack(double cost)
        {
            lock (_gate)
            {
                _tokens += cost;
            }
        }

        public double Refill(double tokens, long expiresAt, QuotaDecision snapshot, long now)
        {
            lock (_gate)
            {
                _tokens = (now >= _expiresAt ? 0 : _tokens) + tokens;
                _expiresAt = expiresAt;
                Snapshot = snapshot;
                return _tokens;
            }
        }
    }
}
