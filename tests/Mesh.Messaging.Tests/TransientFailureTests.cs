using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging.Tests.Support;
using Mesh.Testing;
using Xunit.Abstractions;

namespace Mesh.Messaging.Tests;

/// <summary>
/// The three kinds of handler failure: transient ones wait for as long as they last, a rejection is
/// dead-lettered at once, anything else after Kafka:HandlerRetry:MaxAttempts. The unclassified
/// budget here is tiny (2 attempts, about 20 ms), so every transient failure outlasts it.
/// </summary>
public sealed class TransientFailureTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Mesh.Messaging.Log event ids.
    private const int RevokedEvent = 12, LostEvent = 13, PausedEvent = 19, DrainTimedOutEvent = 21, AbandonedEvent = 22;
    private const int StalledEvent = 30, StillStalledEvent = 31, RecoveredEvent = 32, RejectedEvent = 33;
    private static readonly string DeadLetterTopic = Topics.DeadLetter(Topics.OrderPlaced);

    private readonly KafkaBrokerFixture _kafka = new();
    private readonly string _group = "test-" + Guid.NewGuid().ToString("N");

    public Task InitializeAsync() => _kafka.InitializeAsync();

    public Task DisposeAsync() => _kafka.DisposeAsync();

    [Fact]
    public async Task Consume_TransientFailureOutlastingTheBudget_RetriedUntilHandledNothingDeadLetteredOnlyItsKeyWaits()
    {
        var logs = new LogRecorder();
        var outage = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Orders.Placed("stuck");
        var second = Orders.Placed("stuck");
        var others = Enumerable.Range(0, 6).Select(i => Orders.Placed($"other-{i}")).ToList();
        var probe = new OrderHandlerProbe
        {
            Behavior = (order, attempt) => order.EventId == first.EventId && !outage.Task.IsCompleted
                ? throw new TimeoutException($"dependency unreachable (attempt {attempt})")
                : Task.CompletedTask,
        };
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output, settings: TinyBudget(), logs: logs);

        var delivered = RawKafka.ProduceInOrder(_kafka.BootstrapServers, [first, second, .. others]);
        var handledMeanwhile = await probe.TakeAsync(others.Count);
        await probe.WaitForAttemptsAsync(first.EventId, 10); // five times the budget
        var secondAttemptsMeanwhile = probe.AttemptsFor(second.EventId);
        outage.SetResult();
        var handledAfter = await probe.TakeAsync(2);

        Assert.Equal(others.Select(o => o.EventId).Order(), handledMeanwhile.Select(h => h.Order.EventId).Order());
        Assert.Equal(0, secondAttemptsMeanwhile);
        Assert.Equal([first.EventId, second.EventId], handledAfter.Select(h => h.Order.EventId));
        await AssertAllCommittedAsync(delivered);
        Assert.Equal(0, RawKafka.Count(_kafka.BootstrapServers, DeadLetterTopic));
        Assert.Equal(1, logs.Count(StalledEvent));
        Assert.Equal(0, logs.Count(StillStalledEvent)); // at most one a minute
        Assert.Equal(1, logs.Count(RecoveredEvent));
    }

    [Fact]
    public async Task Consume_HandlerRejectsRecord_DeadLetteredAtOnceWithReasonRejectedAndTheKeyMovesOn()
    {
        var logs = new LogRecorder();
        var rejected = Orders.Placed("refused");
        var next = Orders.Placed("refused");
        var probe = new OrderHandlerProbe
        {
            Behavior = (order, _) => order.EventId == rejected.EventId
                ? throw new EventRejectedException("names no order this service knows")
                : Task.CompletedTask,
        };
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output, settings: TinyBudget(), logs: logs);

        var delivered = RawKafka.ProduceInOrder(_kafka.BootstrapServers, [rejected, next]);
        var handled = await probe.NextAsync(MessagingHost.Wait);
        var deadLetter = RawKafka.ReadAll(_kafka.BootstrapServers, DeadLetterTopic, count: 1).Single();

        Assert.Equal(next, handled.Order);
        Assert.Equal(1, probe.AttemptsFor(rejected.EventId));
        Assert.Equal(DeadLetterHeaders.ReasonRejected, Header(deadLetter, DeadLetterHeaders.Reason));
        Assert.Equal("1", Header(deadLetter, DeadLetterHeaders.Attempts));
        Assert.Equal(typeof(EventRejectedException).FullName, Header(deadLetter, DeadLetterHeaders.ErrorType));
        Assert.Equal("names no order this service knows", Header(deadLetter, DeadLetterHeaders.ErrorMessage));
        Assert.Equal(delivered[0].Offset.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(deadLetter, DeadLetterHeaders.SourceOffset));
        await AssertAllCommittedAsync(delivered);
        Assert.Equal(1, logs.Count(RejectedEvent));
        Assert.Equal(0, logs.Count(StalledEvent));
    }

    [Fact]
    public async Task Consume_ServiceRuleAndWrappedFailures_TransientWhileUnclassifiedStillDeadLettersAfterMaxAttempts()
    {
        var custom = Orders.Placed("custom");
        var wrapped = Orders.Placed("wrapped");
        var bug = Orders.Placed("bug");
        var probe = new OrderHandlerProbe
        {
            Behavior = (order, attempt) => (order.OrderId, attempt) switch
            {
                ("custom", <= 6) => throw new AggregateException(new ApplicationException("the lock is held elsewhere")),
                ("wrapped", <= 6) => throw new InvalidOperationException("while recording", new TimeoutException("no answer")),
                ("bug", _) => throw new InvalidOperationException($"a bug ({attempt})"),
                _ => Task.CompletedTask,
            },
        };
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output, settings: TinyBudget(),
            configure: kafka => kafka.TreatAsTransient<ApplicationException>());

        var delivered = RawKafka.ProduceInOrder(_kafka.BootstrapServers, [custom, wrapped, bug]);
        var handled = await probe.TakeAsync(2);
        var deadLetter = RawKafka.ReadAll(_kafka.BootstrapServers, DeadLetterTopic, count: 1).Single();

        Assert.Equal(new[] { custom.EventId, wrapped.EventId }.Order(), handled.Select(h => h.Order.EventId).Order());
        Assert.Equal(7, probe.AttemptsFor(custom.EventId));
        Assert.Equal(7, probe.AttemptsFor(wrapped.EventId));
        Assert.Equal("bug", deadLetter.Message.Key);
        Assert.Equal(DeadLetterHeaders.ReasonHandlerFailed, Header(deadLetter, DeadLetterHeaders.Reason));
        Assert.Equal("2", Header(deadLetter, DeadLetterHeaders.Attempts));
        await AssertAllCommittedAsync(delivered);
        Assert.Equal(1, RawKafka.Count(_kafka.BootstrapServers, DeadLetterTopic));
    }

    [Fact]
    public async Task Shutdown_DuringTransientRetry_EndsTheRetryAtOnceWithoutCommittingOrDeadLettering()
    {
        var logs = new LogRecorder();
        var probe = new OrderHandlerProbe { Behavior = (_, _) => throw new TimeoutException("dependency unreachable") };
        // A drain timeout far above the bound below: a retry that ran until it would fail the test.
        var settings = TinyBudget(("Kafka:DrainTimeout", "00:00:30"));
        var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output, settings: settings, logs: logs);
        var stuck = RawKafka.ProduceInOrder(_kafka.BootstrapServers, [Orders.Placed("stuck")]).Single();
        await logs.WaitForAsync(StalledEvent);

        var stopping = Stopwatch.StartNew();
        await host.DisposeAsync();
        stopping.Stop();

        output.WriteLine($"stopped in {stopping.ElapsedMilliseconds} ms");
        Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10)); // well within the drain timeout
        Assert.Equal(0, logs.Count(DrainTimedOutEvent));
        Assert.Equal(1, logs.Count(AbandonedEvent));
        var committed = RawKafka.Committed(_kafka.BootstrapServers, _group, stuck.TopicPartition);
        Assert.True(committed == Offset.Unset || committed <= stuck.Offset, $"committed {committed} past the stalled record");
        Assert.Equal(0, RawKafka.Count(_kafka.BootstrapServers, DeadLetterTopic));
    }

    [Fact]
    public async Task Revocation_DuringTransientRetry_EndsTheRetryWithinTheDrainTimeoutAndTheRecordStaysUncommitted()
    {
        var logs = new LogRecorder();
        var probe = new OrderHandlerProbe { Behavior = (_, _) => throw new TimeoutException("dependency unreachable") };
        var settings = TinyBudget(("Kafka:DrainTimeout", "00:00:30"), ("Kafka:Consumer:heartbeat.interval.ms", "100"));
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output, settings: settings, logs: logs);
        var stuck = RawKafka.ProduceInOrder(_kafka.BootstrapServers, [Orders.Placed("stuck")]).Single();
        await logs.WaitForAsync(StalledEvent);

        // A second member makes the group rebalance, which revokes the host's partitions.
        var memberConfig = new ConsumerConfig
        {
            BootstrapServers = _kafka.BootstrapServers, GroupId = _group, EnableAutoCommit = false,
            SessionTimeoutMs = 6000, HeartbeatIntervalMs = 100, FetchWaitMaxMs = 10,
        };
        using var member = new ConsumerBuilder<string, byte[]>(memberConfig).Build();
        member.Subscribe(Topics.OrderPlaced);
        await Poll.UntilAsync(
            () =>
            {
                member.Consume(TimeSpan.FromMilliseconds(50)); // joining makes the group rebalance
                return logs.Count(RevokedEvent) > 0;
            },
            MessagingHost.Wait,
            "The host's partitions were never revoked.",
            TimeSpan.Zero);

        var revoked = Stopwatch.StartNew();
        while (logs.Count(AbandonedEvent) == 0 && revoked.Elapsed < TimeSpan.FromSeconds(40))
        {
            member.Consume(TimeSpan.FromMilliseconds(50));
        }

        output.WriteLine($"abandoned {revoked.ElapsedMilliseconds} ms after the revocation was logged");
        Assert.Equal(1, logs.Count(AbandonedEvent));
        Assert.InRange(revoked.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10)); // well within the drain timeout
        Assert.Equal(0, logs.Count(DrainTimedOutEvent));
        var committed = RawKafka.Committed(_kafka.BootstrapServers, _group, stuck.TopicPartition);
        Assert.True(committed == Offset.Unset || committed <= stuck.Offset, $"committed {committed} past the stalled record");
        Assert.Equal(0, RawKafka.Count(_kafka.BootstrapServers, DeadLetterTopic));
        member.Close();
    }

    [Fact]
    public async Task Consume_OutageLongerThanTwiceMaxPollIntervalWithFullBuffer_PausesStaysInTheGroupAndHandlesEverythingOnce()
    {
        // The buffer fills with records in transient retry; the loop must pause and keep polling,
        // or librdkafka would leave the group after max.poll.interval.ms and the partitions move.
        var logs = new LogRecorder();
        var outage = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new OrderHandlerProbe
        {
            Behavior = (_, attempt) => outage.Task.IsCompleted ? Task.CompletedTask : throw new TimeoutException($"dependency unreachable ({attempt})"),
        };
        var settings = TinyBudget(
            ("Kafka:MaxConcurrency", "2"), ("Kafka:MaxBufferedRecords", "4"), ("Kafka:PauseAfter", "00:00:00.500"),
            ("Kafka:DrainTimeout", "00:00:01"), ("Kafka:Consumer:max.poll.interval.ms", "6000"), ("Logging:LogLevel:Default", "Debug"));
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output, settings: settings, logs: logs);
        var orders = Enumerable.Range(0, 12).Select(i => Orders.Placed($"key-{i}")).ToList();
        var delivered = RawKafka.ProduceInOrder(_kafka.BootstrapServers, orders);
        await logs.WaitForAsync(PausedEvent);

        await Task.Delay(TimeSpan.FromSeconds(13));
        var leftTheGroup = logs.Count(RevokedEvent) + logs.Count(LostEvent);
        outage.SetResult();
        var handled = await probe.TakeAsync(orders.Count);
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // a redelivery would show up by now

        Assert.Equal(0, leftTheGroup);
        Assert.Equal(orders.Select(o => o.EventId).Order(), handled.Select(h => h.Order.EventId).Order());
        Assert.Equal(0, probe.Handled.Reader.Count);
        await AssertAllCommittedAsync(delivered);
        Assert.Equal(0, RawKafka.Count(_kafka.BootstrapServers, DeadLetterTopic));
    }

    private static Dictionary<string, string?> TinyBudget(params (string Key, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:HandlerRetry:MaxAttempts"] = "2",
            ["Kafka:HandlerRetry:InitialBackoff"] = "00:00:00.020",
            ["Kafka:HandlerRetry:MaxBackoff"] = "00:00:00.100",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    private async Task AssertAllCommittedAsync(IEnumerable<DeliveryResult<string, byte[]>> delivered)
    {
        foreach (var partition in delivered.GroupBy(d => d.TopicPartition))
        {
            var end = new Offset(partition.Max(d => d.Offset.Value) + 1);
            Assert.Equal(end, await RawKafka.WaitForCommittedAsync(_kafka.BootstrapServers, _group, partition.Key, end));
        }
    }

    private static string Header(ConsumeResult<string, byte[]> record, string name) =>
        record.Message.Headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : "";
}
