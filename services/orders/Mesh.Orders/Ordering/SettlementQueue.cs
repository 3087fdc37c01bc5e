using System.Globalization;
using StackExchange.Redis;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Orders with unfinished business, due at a time (<c>orders:{settlement}:due</c>, a sorted set by
/// due time in ms): a placed order until it settles (due at its deadline, <c>Orders:SettleWithin</c>
/// after it was placed), and a recorded cancellation until it is published. Entries are added before
/// the work they track can be lost (after OrderPlaced is persisted; before a cancellation is
/// recorded) and removed once it is done, so an entry outlives any crash in between and the
/// <see cref="OrderSweeper"/> finishes the work when it falls due. One key for all users (one
/// Cluster slot): it holds only unfinished orders, so it stays small.
/// </summary>
public sealed class SettlementQueue(IConnectionMultiplexer redis)
{
    private const string Key = "orders:{settlement}:due";

    // KEYS due; ARGV member, the score it was taken at, the new score. 1 when it still had that score.
    private const string ClaimScript = """
        if redis.call('ZSCORE', KEYS[1], ARGV[1]) ~= ARGV[2] then
          return 0
        end
        redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
        return 1
        """;

    // KEYS due; ARGV member, the score it was claimed with. Removes it unless it was rescheduled since.
    private const string FinishScript = """
        if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then
          return redis.call('ZREM', KEYS[1], ARGV[1])
        end
        return 0
        """;

    /// <summary>Due at <paramref name="at"/> unless already queued (the earlier time stays).</summary>
    public Task AddAsync(SettlementTask task, DateTimeOffset at) =>
        redis.GetDatabase().SortedSetAddAsync(Key, task.Member, at.ToUnixTimeMilliseconds(), SortedSetWhen.NotExists);

    /// <summary>Done: the entry goes, whatever its due time.</summary>
    public Task RemoveAsync(SettlementTask task) => redis.GetDatabase().SortedSetRemoveAsync(Key, task.Member);

    /// <summary>Entries due by <paramref name="now"/>, oldest first, with the score each was read at.</summary>
    public async Task<IReadOnlyList<(SettlementTask Task, string Score)>> DueAsync(DateTimeOffset now, int limit)
    {
        var due = await redis.GetDatabase().SortedSetRangeByScoreWithScoresAsync(
            Key, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), take: limit);
        return due.Select(e => (SettlementTask.Parse(e.Element!), Score(e.Score)))
            .Where(e => e.Item1 is not null)
            .Select(e => (e.Item1!, e.Item2))
            .ToList();
    }

    /// <summary>
    /// Takes a due entry for this replica by moving it to <paramref name="until"/>, if no other
    /// replica moved it since it was read: only one replica works on it, and if that one dies the
    /// entry falls due again at <paramref name="until"/>. Returns the claimed score, or null.
    /// </summary>
    public async Task<string?> ClaimAsync(SettlementTask task, string score, DateTimeOffset until)
    {
        var claimed = Score(until.ToUnixTimeMilliseconds());
        return (long)await redis.GetDatabase().ScriptEvaluateAsync(ClaimScript, [Key], [task.Member, score, claimed]) == 1
            ? claimed
            : null;
    }

    /// <summary>Removes a claimed entry, unless someone queued it again meanwhile.</summary>
    public Task FinishAsync(SettlementTask task, string claimedScore) =>
        redis.GetDatabase().ScriptEvaluateAsync(FinishScript, [Key], [task.Member, claimedScore]);

    /// <summary>Entries queued: what the sweeper has not finished yet.</summary>
    public Task<long> CountAsync() => redis.GetDatabase().SortedSetLengthAsync(Key);

    // Scores are integral ms; Redis answers ZSCORE as that integer's decimal text.
    private static string Score(double score) => ((long)score).ToString(CultureInfo.InvariantCulture);
}
