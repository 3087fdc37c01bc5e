using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging.Tests.Support;
using Mesh.Testing;
using Xunit.Abstractions;

namespace Mesh.Messaging.Tests;

/// <summary>Shutdown and rebalance in the middle of a stream: nothing unhandled is ever committed, nothing is lost.</summary>
public sealed class ConsumerHandoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Total = 240;
    private const int PausedEvent = 19, ResumedEvent = 20; // Mesh.Messaging.Log.Paused, Log.Resumed
    private readonly KafkaBrokerFixture _kafka = new();
    private readonly string _group = "test-" + Guid.NewGuid().ToString("N");

    public Task InitializeAsync() => _kafka.InitializeAsync();

    public Task DisposeAsync() => _kafka.DisposeAsync();

    [Fact]
    public async Task StopMidStreamAndRestart_CommittedOffsetsCoverOnlyHandledRecordsAndNothingIsLost()
    {
        // KIP-848: the mock hands partitions to a restarted member at once (classic waits ~5 s).
        var settings = Settings(("Kafka:Consumer:group.protocol", "consumer"), ("Kafka:Consumer:session.timeout.ms", null));
        var handled = new ConcurrentDictionary<(int Partition, long Offset), int>();
        var delivered = RawKafka.ProduceInOrder(_kafka.BootstrapServers, Stream());

        var first = Probe(handled);
        var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, first, output, settings: settings);
        await first.TakeAsync(Total / 3);
        await host.DisposeAsync(); // graceful: stop fetching, drain, store, close (commit)
        var handledByFirst = handled.Keys.ToHashSet();
        var committed = Partitions(delivered).ToDictionary(p => p, p => RawKafka.Committed(_kafka.BootstrapServers, _group, p));

        var second = Probe(handled);
        await using (await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, second, output, settings: settings))
        {
            await WaitUntilAllHandledAsync(handled, delivered);
        }

        foreach (var (partition, offset) in committed)
        {
            output.WriteLine($"{partition}: committed {offset} after the first host stopped");
            var below = delivered.Where(d => d.TopicPartition == partition && d.Offset < offset);
            Assert.All(below, d => Assert.Contains((d.Partition.Value, d.Offset.Value), handledByFirst));
        }

        Assert.Contains(committed.Values, o => o != Offset.Unset); // the first host did commit something
        await AssertAllCommittedAsync(delivered);
    }

    [Fact]
    public async Task SecondMemberJoinsMidStream_PartitionsMoveAndNothingIsLost()
    {
        // Handlers slow enough that the first member is usually still busy when the second one joins,
        // and heartbeats frequent enough that the first member learns of the rebalance at once.
        var settings = Settings(("Kafka:MaxConcurrency", "2"), ("Kafka:Consumer:heartbeat.interval.ms", "100"));
        var handled = new ConcurrentDictionary<(int Partition, long Offset), int>();
        var delivered = RawKafka.ProduceInOrder(_kafka.BootstrapServers, Stream());
        var first = Probe(handled, minDelayMs: 20);
        var second = Probe(handled, minDelayMs: 20);

        await using var firstHost = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, first, output, settings: settings);
        await first.TakeAsync(Total / 4);
        await using var secondHost = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, second, output, settings: settings);
        // A fast machine may finish the stream before the second member owns anything: records keep
        // coming, a few at a time, until it handled one (or the wait below gives up).
        var joined = Stopwatch.StartNew();
        for (var batch = 0; second.Handled.Reader.Count == 0 && joined.Elapsed < MessagingHost.Wait; batch++)
        {
            delivered.AddRange(RawKafka.ProduceInOrder(_kafka.BootstrapServers,
                Enumerable.Range(0, 10).Select(i => Orders.Placed($"late-{batch}-{i}"))));
            await Task.Delay(250);
        }

        await WaitUntilAllHandledAsync(handled, delivered);

        output.WriteLine($"first host handled {first.Handled.Reader.Count + Total / 4}, second {second.Handled.Reader.Count}, of {delivered.Count}");
        Assert.True(second.Handled.Reader.Count > 0, "The second member got no partition.");
        await AssertAllCommittedAsync(delivered);
    }

    [Fact]
    public async Task PartitionMovedAwayWhilePaused_ComesBackAfterResume_IsFetchedAgain()
    {
        // librdkafka keeps a partition's pause across its unassignment. The host pauses (handlers
        // blocked, buffer full), a second member takes a partition, the host resumes what it still
        // owns, the member leaves: the partition it hands back must not stay paused for good.
        // The blocked handlers hold every revocation for the drain timeout, and the mock makes each
        // rejoin wait about a session timeout: a short drain keeps a rebalance near 6 s, and the
        // second member gets two waits' time, as a loaded machine can chain two or three rebalances.
        var logs = new LogRecorder();
        var settings = Settings(
            ("Kafka:MaxConcurrency", "2"), ("Kafka:MaxBufferedRecords", "6"), ("Kafka:PauseAfter", "00:00:01"),
            ("Kafka:DrainTimeout", "00:00:01"),
            ("Kafka:Consumer:heartbeat.interval.ms", "100"), ("Logging:LogLevel:Default", "Debug"));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new ConcurrentDictionary<string, int>();
        var probe = new OrderHandlerProbe
        {
            Behavior = (_, _) => release.Task,
            OnHandled = metadata => handled.AddOrUpdate(metadata.Key, 1, (_, n) => n + 1),
        };
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output, settings: settings, logs: logs);
        RawKafka.ProduceInOrder(_kafka.BootstrapServers, Enumerable.Range(0, 30).Select(i => Orders.Placed($"before-{i}")));
        await logs.WaitForAsync(PausedEvent);

        var memberConfig = new ConsumerConfig
        {
            BootstrapServers = _kafka.BootstrapServers, GroupId = _group, EnableAutoCommit = false,
            SessionTimeoutMs = 6000, HeartbeatIntervalMs = 100, FetchWaitMaxMs = 10,
        };
        using (var member = new ConsumerBuilder<string, byte[]>(memberConfig).Build())
        {
            member.Subscribe(Topics.OrderPlaced);
            await Poll.UntilAsync(
                () =>
                {
                    member.Consume(TimeSpan.FromMilliseconds(50)); // takes part in the rebalance
                    return member.Assignment.Count > 0;
                },
                2 * MessagingHost.Wait,
                "The second member got no partition.",
                TimeSpan.Zero);

            output.WriteLine($"second member took {string.Join(", ", member.Assignment)}");
            release.SetResult();
            var resumed = logs.WaitForAsync(ResumedEvent);
            while (!resumed.IsCompleted)
            {
                member.Consume(TimeSpan.FromMilliseconds(50)); // stays in the group until the host resumed
            }

            await resumed;
            member.Close(); // hands its partitions back to the host, which is no longer paused
        }

        var after = RawKafka.ProduceInOrder(_kafka.BootstrapServers, Enumerable.Range(0, 30).Select(i => Orders.Placed($"after-{i}")));
        await Poll.UntilAsync(
            () => after.All(d => handled.ContainsKey(d.Message.Key)),
            MessagingHost.Wait,
            () => $"Records of partition(s) {string.Join(", ", after.Where(d => !handled.ContainsKey(d.Message.Key)).Select(d => d.Partition.Value).Distinct())} were never fetched again.",
            TimeSpan.FromMilliseconds(50));
    }

    private static IEnumerable<OrderPlaced> Stream() =>
        Enumerable.Range(0, Total).Select(i => Orders.Placed($"key-{i % 30}"));

    private static OrderHandlerProbe Probe(ConcurrentDictionary<(int, long), int> handled, int minDelayMs = 2) => new()
    {
        Behavior = async (order, _) => await Task.Delay(Random.Shared.Next(minDelayMs, minDelayMs + 12)),
        OnHandled = metadata => handled.AddOrUpdate((metadata.Partition, metadata.Offset), 1, (_, n) => n + 1),
    };

    private static Dictionary<string, string?> Settings(params (string Key, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?> { ["Kafka:MaxConcurrency"] = "4", ["Kafka:DrainTimeout"] = "00:00:05" };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static IEnumerable<TopicPartition> Partitions(IEnumerable<DeliveryResult<string, byte[]>> delivered) =>
        delivered.Select(d => d.TopicPartition).Distinct();

    private static Task WaitUntilAllHandledAsync(ConcurrentDictionary<(int, long), int> handled, List<DeliveryResult<string, byte[]>> delivered) =>
        Poll.UntilAsync(
            () => delivered.All(d => handled.ContainsKey((d.Partition.Value, d.Offset.Value))),
            MessagingHost.Wait,
            () => $"{delivered.Count(d => !handled.ContainsKey((d.Partition.Value, d.Offset.Value)))} record(s) never handled.",
            TimeSpan.FromMilliseconds(50));

    private async Task AssertAllCommittedAsync(List<DeliveryResult<string, byte[]>> delivered)
    {
        foreach (var partition in delivered.GroupBy(d => d.TopicPartition))
        {
            var end = new Offset(partition.Max(d => d.Offset.Value) + 1);
            Assert.Equal(end, await RawKafka.WaitForCommittedAsync(_kafka.BootstrapServers, _group, partition.Key, end));
        }
    }
}
