using Confluent.Kafka;

namespace Mesh.Cli.DeadLetters;

/// <summary>
/// Produces dead letters back to their source topics and moves the redrive cursor behind them.
/// The cursor only ever moves over a contiguous run of dead letters whose produce was persisted
/// (acks=all), so a failure or Ctrl-C leaves it at the first dead letter not redriven: the next
/// run starts there, and nothing is recorded as redriven that was not.
/// </summary>
public sealed class Redriver(DeadLetterLog log, KafkaSettings settings, TimeProvider time, IRedriveObserver observer)
{
    /// <summary>Produces in flight at once: enough to keep a remote broker busy, few enough to redo after a failure.</summary>
    private const int Window = 100;

    /// <summary>How often a long redrive records its progress, so an interruption repeats little.</summary>
    private static readonly TimeSpan CommitEvery = TimeSpan.FromSeconds(2);

    /// <summary>Runs the plans in order and stops at the first partition that fails.</summary>
    public async Task<IReadOnlyList<PartitionOutcome>> RunAsync(IReadOnlyList<PartitionPlan> plans, bool dryRun, CancellationToken cancellationToken)
    {
        using var producer = dryRun ? null : new ProducerBuilder<byte[]?, byte[]?>(settings.Redriver())
            .SetKeySerializer(Serializers.ByteArray)
            .SetValueSerializer(Serializers.ByteArray)
            .SetLogHandler((_, _) => { }) // Failures arrive with the delivery reports.
            .Build();
        // The same source record dead-lettered by several groups is redriven once: the copy reaches every group.
        var firstBySource = new Dictionary<string, (string Position, Task<DeliveryResult<byte[]?, byte[]?>>? Produce)>(StringComparer.Ordinal);
        var outcomes = new List<PartitionOutcome>();
        foreach (var plan in plans.Where(p => !p.Redrive.IsEmpty))
        {
            var run = new PartitionRun(plan, log, producer, firstBySource, time, observer);
            var outcome = await run.ExecuteAsync(cancellationToken);
            outcomes.Add(outcome);
            if (!outcome.Succeeded)
            {
                break;
            }
        }

        return outcomes;
    }

    private sealed class PartitionRun(
        PartitionPlan plan,
        DeadLetterLog log,
        IProducer<byte[]?, byte[]?>? producer,
        Dictionary<string, (string Position, Task<DeliveryResult<byte[]?, byte[]?>>? Produce)> firstBySource,
        TimeProvider time,
        IRedriveObserver observer)
    {
        private readonly Queue<(DeadLetter Letter, Task<DeliveryResult<byte[]?, byte[]?>>? Produce, string? SameAs)> _inFlight = new();
        private readonly string _topic = plan.State.Topic;
        private readonly int _partition = plan.State.Partition;
        private long? _committed = plan.State.Committed;
        private long? _persistedNext;
        private long _redriven;
        private long _sameSource;
        private long _producedNotRecorded;
        private bool _commitFailed;

        // A produce or commit that failed: dead letters after it are not recorded as redriven.
        private string? _failure;

        // Why reading stopped early (interrupted, a dead letter that cannot be redriven, the broker
        // gone quiet): everything handed to the producer before it is still settled and recorded.
        private string? _stopped;

        public async Task<PartitionOutcome> ExecuteAsync(CancellationToken cancellationToken)
        {
            observer.Starting(plan);
            var expected = plan.Redrive.From;
            var lastCommit = time.GetTimestamp();
            try
            {
                foreach (var letter in log.Read([new ReadRange(_topic, _partition, plan.Redrive.From, plan.Redrive.To)], cancellationToken))
                {
                    if (letter.Offset > expected)
                    {
                        observer.Missing(_topic, _partition, new OffsetRange(expected, letter.Offset - 1));
                    }

                    expected = letter.Offset + 1;
                    if (letter.ValueDropped is not null)
                    {
                        _stopped = $"{letter.Position} was dead-lettered without its value ({letter.ValueDropped}), so it cannot be redriven from here; " +
                            $"the original is at {letter.SourcePosition ?? "its source offset"} until retention removes it. Produce that one yourself, " +
                            $"then pass this dead letter over with --partition {_partition} --from {letter.Offset + 1}.";
                        break;
                    }

                    Enqueue(letter);
                    while (_failure is null && _inFlight.Count > 0 && (_inFlight.Count >= Window || _inFlight.Peek().Produce?.IsCompleted != false))
                    {
                        await SettleAsync(_inFlight.Dequeue());
                    }

                    if (_failure is not null)
                    {
                        break;
                    }

                    if (time.GetElapsedTime(lastCommit) > CommitEvery)
                    {
                        if (!await CommitAsync())
                        {
                            break;
                        }

                        lastCommit = time.GetTimestamp();
                    }
                }
            }
            catch (OperationCanceledException)
            {
                _stopped = "interrupted";
            }
            catch (Exception exception) when (exception is KafkaException or TimeoutException)
            {
                _stopped = exception.Message;
            }

            await DrainAsync();
            if (_failure is null && _stopped is null)
            {
                // Every dead letter of the range is persisted (offsets the log no longer held were reported).
                _persistedNext = plan.Redrive.To + 1;
            }

            await CommitAsync();
            return new PartitionOutcome(plan, _redriven, _sameSource, _committed ?? plan.State.Cursor, _failure ?? _stopped, _producedNotRecorded);
        }

        private void Enqueue(DeadLetter letter)
        {
            var source = letter.SourcePosition;
            if (source is not null && firstBySource.TryGetValue(source, out var first))
            {
                _inFlight.Enqueue((letter, first.Produce, first.Position));
                return;
            }

            // Not cancellable on purpose: once handed to the producer a record may be persisted, and its report must be awaited.
            var produce = producer?.ProduceAsync(new TopicPartition(letter.SourceTopic, letter.SourcePartition), letter.Redrive(time.GetUtcNow()), CancellationToken.None);
            if (source is not null)
            {
                firstBySource[source] = (letter.Position, produce);
            }

            _inFlight.Enqueue((letter, produce, null));
        }

        private async Task SettleAsync((DeadLetter Letter, Task<DeliveryResult<byte[]?, byte[]?>>? Produce, string? SameAs) item)
        {
            var (letter, produce, sameAs) = item;
            var target = $"{letter.SourceTopic}/{letter.SourcePartition}";
            string detail;
            try
            {
                if (produce is null)
                {
                    detail = $"→ {target}";
                }
                else
                {
                    var result = await produce;
                    if (result.Status != PersistenceStatus.Persisted)
                    {
                        _failure = $"producing {letter.Position} to {target} ended {result.Status}";
                        return;
                    }

                    detail = $"→ {DeadLetter.Format(result.Topic, result.Partition.Value, result.Offset.Value)}";
                }
            }
            catch (ProduceException<byte[]?, byte[]?> exception)
            {
                _failure = $"producing {letter.Position} to {target} failed: {exception.Error.Code}: {exception.Error.Reason}";
                return;
            }

            _persistedNext = letter.Offset + 1;
            if (sameAs is not null)
            {
                _sameSource++;
                observer.Handled(letter, RedriveStep.SameSourceRecord, $"same source record as {sameAs}, redriven in this run");
                return;
            }

            _redriven++;
            observer.Handled(letter, producer is null ? RedriveStep.WouldRedrive : RedriveStep.Redriven, detail);
        }

        /// <summary>Waits for every produce handed over, so that what the cursor records is known.</summary>
        private async Task DrainAsync()
        {
            while (_inFlight.TryDequeue(out var item))
            {
                if (_failure is null)
                {
                    await SettleAsync(item);
                }
                else if (item.SameAs is null && item.Produce is not null && await PersistedAsync(item.Produce))
                {
                    _producedNotRecorded++;
                }
            }
        }

        private static async Task<bool> PersistedAsync(Task<DeliveryResult<byte[]?, byte[]?>> produce)
        {
            try
            {
                return (await produce).Status == PersistenceStatus.Persisted;
            }
            catch (ProduceException<byte[]?, byte[]?>)
            {
                return false;
            }
        }

        /// <summary>
        /// Commits the persisted prefix, after checking that nobody else moved the cursor since
        /// this run read it: two redrives of one partition at once would both produce its dead
        /// letters. False (and the failure noted) when it could not.
        /// </summary>
        private async Task<bool> CommitAsync()
        {
            if (producer is null || _commitFailed || _persistedNext is not { } next || next == _committed)
            {
                return !_commitFailed;
            }

            try
            {
                var now = log.Committed(_topic, _partition);
                if (now != _committed)
                {
                    Fail($"the cursor of {_topic}/{_partition} moved from {Show(_committed)} to {Show(now)} while this redrive ran (another redrive?), so this one did not move it");
                    return false;
                }

                // Not cancellable: the produces below it are persisted, and Ctrl-C should still record
                // them (System.CommandLine ends the process 2 s after Ctrl-C; one commit takes milliseconds).
                await log.CommitAsync(_topic, _partition, next, CancellationToken.None);
            }
            catch (Exception exception) when (exception is KafkaException or TimeoutException)
            {
                Fail($"committing the cursor of {_topic}/{_partition} failed: {exception.Message}");
                return false;
            }

            _committed = next;
            observer.Committed(_topic, _partition, next);
            return true;
        }

        private void Fail(string failure)
        {
            _commitFailed = true;
            _failure = _failure is null ? failure : $"{_failure}; {failure}";
        }

        private static string Show(long? offset) => offset?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";
    }
}
