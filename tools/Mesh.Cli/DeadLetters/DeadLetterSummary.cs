namespace Mesh.Cli.DeadLetters;

/// <summary>
/// One dead-letter topic at a glance: how many dead letters it retains, how many of them are
/// pending (at or after the redrive cursor), when the oldest pending one was written, and why the
/// pending ones were dead-lettered and by which consumer groups.
/// </summary>
public sealed record DeadLetterSummary(
    DeadLetterTopic Topic,
    IReadOnlyList<PartitionState> Partitions,
    long Pending,
    DateTimeOffset? OldestPending,
    IReadOnlyDictionary<string, long> Reasons,
    IReadOnlyDictionary<string, long> Groups)
{
    /// <summary>True when the cluster has no such topic.</summary>
    public bool Missing => Partitions.Count == 0;

    public long Retained => Partitions.Sum(p => p.Retained);

    public long Expired => Partitions.Sum(p => p.Expired);

    /// <summary>Reads every pending dead letter of the topic (never joining a group, committing nothing).</summary>
    public static DeadLetterSummary Survey(DeadLetterLog log, DeadLetterTopic topic, CancellationToken cancellationToken)
    {
        var partitions = log.Partitions(topic.Name);
        if (partitions is null)
        {
            return new(topic, [], 0, null, new Dictionary<string, long>(), new Dictionary<string, long>());
        }

        var states = log.States(topic.Name, partitions);
        var reasons = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var groups = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var pending = 0L;
        DateTimeOffset? oldest = null;
        foreach (var letter in log.Read(states.Select(s => new ReadRange(s.Topic, s.Partition, s.Cursor, s.High - 1)), cancellationToken))
        {
            pending++;
            oldest = oldest is { } o && o <= letter.Timestamp ? o : letter.Timestamp;
            Count(reasons, letter.Reason ?? "(no reason)");
            Count(groups, letter.ConsumerGroup ?? "(no group)");
        }

        return new(topic, states, pending, oldest, reasons, groups);
    }

    private static void Count(SortedDictionary<string, long> counts, string key) =>
        counts[key] = counts.TryGetValue(key, out var count) ? count + 1 : 1;
}
