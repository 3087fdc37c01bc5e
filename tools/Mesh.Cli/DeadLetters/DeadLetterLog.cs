using System.Diagnostics;
using Confluent.Kafka;

namespace Mesh.Cli.DeadLetters;

/// <summary>
/// Reads dead-letter topics and the redrive cursor with one consumer that is only ever assigned
/// partitions: it never joins a group, so reading disturbs no one, and it commits only when
/// <see cref="CommitAsync"/> is called (by <c>redrive</c>).
/// </summary>
public sealed class DeadLetterLog : IDisposable
{
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly IAdminClient _admin;
    private readonly TimeSpan _timeout;
    private string? _lastProblem;

    public DeadLetterLog(KafkaSettings settings)
    {
        _timeout = settings.Timeout;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(settings.Reader())
            .SetKeyDeserializer(Deserializers.ByteArray)
            .SetValueDeserializer(Deserializers.ByteArray)
            // librdkafka logs every failed connection attempt, from its own threads; instead of
            // printing them, a failure reports the last one (errors reach the error handler only
            // when the consumer polls, which metadata and offset requests do not).
            .SetLogHandler((_, message) =>
            {
                if (message.Level <= SyslogLevel.Warning)
                {
                    Volatile.Write(ref _lastProblem, message.Message);
                }
            })
            .SetErrorHandler((_, error) => Volatile.Write(ref _lastProblem, error.Reason))
            .Build();
        // Shares the consumer's connections and configuration, so a metadata request never asks the broker to create a topic.
        _admin = new DependentAdminClientBuilder(_consumer.Handle).Build();
    }

    /// <summary>The partition numbers of a topic; null when the cluster does not have it.</summary>
    public IReadOnlyList<int>? Partitions(string topic)
    {
        var metadata = Guard(() => _admin.GetMetadata(topic, _timeout), $"the metadata of {topic}");
        var found = metadata.Topics.SingleOrDefault(t => t.Topic == topic);
        if (found is null || found.Error.Code == ErrorCode.UnknownTopicOrPart)
        {
            return null;
        }

        if (found.Error.IsError)
        {
            throw new KafkaException(found.Error);
        }

        return [.. found.Partitions.Select(p => p.PartitionId).Order()];
    }

    /// <summary>Watermarks and redrive cursor of each partition.</summary>
    public IReadOnlyList<PartitionState> States(string topic, IEnumerable<int> partitions)
    {
        var list = partitions.Select(p => new TopicPartition(topic, p)).ToList();
        var committed = Guard(() => _consumer.Committed(list, _timeout), $"the redrive cursor of {topic}")
            .ToDictionary(c => c.Partition.Value, c => c.Offset);
        return [.. list.Select(tp =>
        {
            var marks = Guard(() => _consumer.QueryWatermarkOffsets(tp, _timeout), $"the offsets of {tp.Topic}/{tp.Partition.Value}");
            var cursor = committed.TryGetValue(tp.Partition.Value, out var offset) && offset.Value >= 0 ? offset.Value : (long?)null;
            return new PartitionState(topic, tp.Partition.Value, marks.Low.Value, marks.High.Value, cursor);
        })];
    }

    /// <summary>The redrive cursor of one partition as committed now; null when nothing is committed.</summary>
    public long? Committed(string topic, int partition)
    {
        var offset = Guard(() => _consumer.Committed([new TopicPartition(topic, partition)], _timeout), $"the redrive cursor of {topic}/{partition}")
            .Single().Offset;
        return offset.Value >= 0 ? offset.Value : null;
    }

    /// <summary>
    /// The records of each range in offset order (ranges one after the other), stopping at a
    /// range's end or the end of the log, whichever comes first. Fails when the broker gives
    /// nothing for longer than the timeout.
    /// </summary>
    public IEnumerable<DeadLetter> Read(IEnumerable<ReadRange> ranges, CancellationToken cancellationToken)
    {
        foreach (var range in ranges.Where(r => !r.IsEmpty))
        {
            foreach (var letter in ReadOne(range, cancellationToken))
            {
                yield return letter;
            }
        }
    }

    /// <summary>
    /// Moves the cursor of a partition: <paramref name="next"/> is the first dead letter not yet
    /// handled. A plain offset commit of the redrive group, from a consumer that is no member of it.
    /// </summary>
    public async Task CommitAsync(string topic, int partition, long next, CancellationToken cancellationToken)
    {
        // Commit blocks until the coordinator answers; the timeout keeps the command from hanging on it.
        var commit = Task.Run(() => _consumer.Commit([new TopicPartitionOffset(topic, partition, next)]), CancellationToken.None);
        try
        {
            await commit.WaitAsync(_timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Committing the redrive cursor of {topic}/{partition} got no answer within {_timeout.TotalSeconds:0.#} s{LastError()}.");
        }
    }

    public void Dispose()
    {
        _admin.Dispose();
        _consumer.Close();
        _consumer.Dispose();
    }

    private IEnumerable<DeadLetter> ReadOne(ReadRange range, CancellationToken cancellationToken)
    {
        _consumer.Assign(new TopicPartitionOffset(range.Topic, range.Partition, range.From));
        try
        {
            var idle = Stopwatch.StartNew();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = _consumer.Consume(TimeSpan.FromMilliseconds(250));
                if (result is null)
                {
                    if (idle.Elapsed > _timeout)
                    {
                        throw new TimeoutException($"Reading {range.Topic}/{range.Partition} got nothing within {_timeout.TotalSeconds:0.#} s{LastError()}.");
                    }

                    continue;
                }

                idle.Restart();
                if (result.IsPartitionEOF || result.Offset.Value > range.To)
                {
                    yield break;
                }

                yield return DeadLetter.From(result);
                if (result.Offset.Value >= range.To)
                {
                    yield break;
                }
            }
        }
        finally
        {
            _consumer.Unassign();
        }
    }

    private T Guard<T>(Func<T> call, string what)
    {
        try
        {
            return call();
        }
        catch (KafkaException exception) when (exception.Error.Code is ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut)
        {
            throw new TimeoutException($"Asking for {what} got no answer within {_timeout.TotalSeconds:0.#} s{LastError()}.", exception);
        }
        catch (KafkaException exception)
        {
            // librdkafka's own text ("Local: Broker transport failure") names neither the request nor the cause.
            throw new KafkaException(new Error(exception.Error.Code, $"Asking for {what} failed: {exception.Error.Reason}{LastError()}."), exception);
        }
    }

    private string LastError() => Volatile.Read(ref _lastProblem) is { } problem ? $" (last client error: {problem})" : "";
}
