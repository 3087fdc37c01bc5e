using Confluent.Kafka;

namespace Mesh.Replay;

/// <summary>
/// The next offset a read of <see cref="PartitionRange"/>s expects in each partition, from the low
/// watermark captured beforehand. Our producer is idempotent, not transactional, so a healthy
/// partition has no offset holes: a record (or end of partition) past the expected offset means the
/// log's start moved over records not read yet (retention, the dev broker's window) and the
/// consumer's offset reset jumped them. Pure, so the check is testable without a broker.
/// </summary>
internal sealed class ReadCursors
{
    private readonly Dictionary<TopicPartition, (PartitionRange Range, long Next)> _pending;

    public ReadCursors(IEnumerable<PartitionRange> ranges) =>
        _pending = ranges.Where(r => r.Count > 0).ToDictionary(r => new TopicPartition(r.Topic, r.Partition), r => (r, r.Low));

    public bool Done => _pending.Count == 0;

    public IEnumerable<TopicPartitionOffset> Starts => _pending.Select(p => new TopicPartitionOffset(p.Key, p.Value.Next));

    /// <summary>
    /// Takes the next position the consumer delivered for a partition: a record at
    /// <paramref name="offset"/>, or the end of the partition there. Returns whether the record is
    /// one to read, and the records jumped over before it, if any.
    /// </summary>
    public (bool Read, LogGap? Gap) Advance(TopicPartition partition, long offset, bool endOfPartition)
    {
        if (!_pending.TryGetValue(partition, out var cursor) || (offset < cursor.Next && !endOfPartition))
        {
            // Not ours, or already read: nothing new.
            return (false, null);
        }

        var (range, next) = cursor;
        var gap = offset > next ? new LogGap(range.Topic, range.Partition, next, Math.Min(offset, range.High)) : null;
        if (endOfPartition || offset >= range.High)
        {
            // At or past the captured end: what comes after belongs to the live consumer.
            _pending.Remove(partition);
            return (false, gap);
        }

        if (offset + 1 >= range.High)
        {
            _pending.Remove(partition);
        }
        else
        {
            _pending[partition] = (range, offset + 1);
        }

        return (true, gap);
    }
}
