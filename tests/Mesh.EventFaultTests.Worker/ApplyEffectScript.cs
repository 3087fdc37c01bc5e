namespace Mesh.EventFaultTests.Worker;

/// <summary>
/// Records the delivery and applies the event's effect in one script, so the idempotency record
/// and the state change are written together or not at all: a worker killed between two Redis
/// commands cannot leave an event applied but unrecorded, or recorded but unapplied.
/// </summary>
public static class ApplyEffectScript
{
    // KEYS: deliveries, totals, applied, duplicates, handled-by. ARGV: event id, order id, cents, worker.
    // Returns 1 when the effect was applied, 0 when the delivery was a duplicate.
    public const string Lua = """
        redis.call('HINCRBY', KEYS[5], ARGV[4], 1)
        if redis.call('HINCRBY', KEYS[1], ARGV[1], 1) > 1 then
          redis.call('INCR', KEYS[4])
          return 0
        end
        redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3])
        redis.call('INCR', KEYS[3])
        return 1
        """;
}
