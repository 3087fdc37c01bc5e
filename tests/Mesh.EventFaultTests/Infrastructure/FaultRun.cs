using System.Diagnostics;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.DevBroker;
using Mesh.EventFaultTests.Worker;
using Mesh.Messaging;
using Mesh.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Mesh.EventFaultTests.Infrastructure;

/// <summary>
/// One scenario's world: a fresh in-memory Kafka cluster and redis-server, a publisher host in
/// this process (the library's IEventPublisher), worker processes in one consumer group, and a
/// deadline for the whole run. Disposing stops all of it.
/// </summary>
public sealed class FaultRun : IAsyncDisposable
{
    /// <summary>Upper bound of one scenario; a healthy one takes well under a minute.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private static readonly EventContract Contract = EventContracts.For<OrderPlaced>();

    private readonly ITestOutputHelper _output;
    private readonly KafkaBrokerFixture _kafka = new();
    private readonly RedisServerFixture _redis = new();
    private readonly List<ChildProcess> _workers = [];
    private readonly CancellationTokenSource _deadline = new(Deadline);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private IHost? _publisher;
    private ConnectionMultiplexer? _redisClient;

    private FaultRun(ITestOutputHelper output)
    {
        _output = output;
    }

    public string Group { get; } = "faults-" + Guid.NewGuid().ToString("N")[..8];

    public EffectKeys Keys { get; } = new("faults");

    public OrderStream Stream { get; } = new();

    public MockKafkaCluster Cluster => _kafka.Cluster;

    public CancellationToken Token => _deadline.Token;

    private IDatabase Redis => _redisClient!.GetDatabase();

    /// <param name="producerSettings">librdkafka properties of the publisher (Kafka:Producer:*).</param>
    public static async Task<FaultRun> StartAsync(ITestOutputHelper output, IReadOnlyDictionary<string, string>? producerSettings = null)
    {
        var run = new FaultRun(output);
        try
        {
            await Task.WhenAll(run._kafka.InitializeAsync(), run._redis.InitializeAsync());
            run._redisClient = await ConnectionMultiplexer.ConnectAsync(run._redis.ConnectionString);
            run._publisher = await StartPublisherAsync(run._kafka.BootstrapServers, producerSettings, output, run.Token);
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One consumer worker as its own OS process, started once it says so. Its <see cref="ChildProcess.Kill"/>
    /// is SIGKILL: no shutdown hook, no offset commit, no consumer close, like a crashed or OOM-killed pod.
    /// </summary>
    public async Task<ChildProcess> StartWorkerAsync(string name)
    {
        var settings = new Dictionary<string, string>
        {
            ["Kafka:BootstrapServers"] = _kafka.BootstrapServers,
            ["Kafka:ConsumerGroup"] = Group,
            ["Kafka:Consumer:fetch.wait.max.ms"] = "10",
            // The mock cluster makes a consumer joining an emptied group wait this minus 1 s, and
            // a killed member holds its partitions this long.
            ["Kafka:Consumer:session.timeout.ms"] = "6000",
            ["Kafka:Consumer:auto.commit.interval.ms"] = "1000",
            ["FaultWorker:Redis"] = _redis.ConnectionString,
            ["FaultWorker:KeyPrefix"] = Keys.Prefix,
            ["FaultWorker:Name"] = name,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Mesh.Messaging"] = "Information",
        };
        var worker = ChildProcess.StartDotnet(
            name, BuildOutputs.EventWorker, new Dictionary<string, string>(), [.. settings.Select(s => $"--{s.Key}={s.Value}")]);
        _workers.Add(worker);
        await worker.WaitForLineAsync("started ", TimeSpan.FromSeconds(60));
        Log($"worker {name} started");
        return worker;
    }

    /// <summary>Publishes the stream in the background at <paramref name="perSecond"/> events/s.</summary>
    public Task PublishAsync(int perSecond)
    {
        var publisher = _publisher!.Services.GetRequiredService<IEventPublisher>();
        return Task.Run(() => Stream.PublishAsync(publisher, perSecond, Token), Token);
    }

    /// <summary>Waits until the workers applied at least <paramref name="count"/> distinct events.</summary>
    public async Task<long> WaitForAppliedAsync(long count)
    {
        await WaitUntilAsync($"{count} events applied", async () => await AppliedAsync() >= count);
        var applied = await AppliedAsync();
        Log($"{applied} applied, {Stream.Published} of {Stream.Total} published");
        return applied;
    }

    /// <summary>Waits until the stream handed <paramref name="count"/> publishes to the publisher (it paces them).</summary>
    public async Task WaitForPublishedAsync(int count)
    {
        await WaitUntilAsync($"{count} published", () => Task.FromResult(Stream.Published >= count));
        Log($"{Stream.Published} of {Stream.Total} published, {await AppliedAsync()} applied");
    }

    public Task<long> AppliedAsync() => AppliedEffects.AppliedCountAsync(Redis, Keys);

    public Task<long> HandledByAsync(ChildProcess worker) => AppliedEffects.HandledByAsync(Redis, Keys, worker.Name);

    public async Task WaitUntilAsync(string what, Func<Task<bool>> condition)
    {
        while (!await condition())
        {
            try
            {
                await Task.Delay(Poll, Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not reached within {Deadline}: {what}. {await DescribeAsync()}");
            }
        }
    }

    /// <summary>
    /// Waits until every publish was persisted and the group has committed the end of every
    /// partition (nothing left to deliver, so nothing can be delivered again), then reads Redis.
    /// </summary>
    public async Task<AppliedEffects> WaitUntilSettledAsync(Task publishing)
    {
        await publishing;
        Log($"all {Stream.Total} published ({Stream.FailedAttempts} failed attempts retried)");
        using var lag = new ConsumerLag(_kafka.BootstrapServers, Group, Contract.Topic, Contract.Partitions);
        await WaitUntilAsync("the group committed every record", () => Task.FromResult(lag.Total() == 0));
        var effects = await AppliedEffects.ReadAsync(Redis, Keys);
        Log($"settled: {effects.Applied} applied, {effects.Deliveries} deliveries, {effects.Duplicates} duplicates absorbed "
            + $"({Stream.Republished} republished, so {effects.Duplicates - Stream.Republished} from redelivery or publish retries), "
            + $"handled by {string.Join(", ", effects.HandledBy.Select(h => $"{h.Key}={h.Value}"))}");
        return effects;
    }

    /// <summary>Every event applied exactly once: none lost, none doubled, every duplicate absorbed.</summary>
    public void AssertExactlyOnce(AppliedEffects effects)
    {
        var expected = Stream.Events.Select(e => e.EventId).ToHashSet();
        var lost = expected.Where(id => !effects.DeliveriesPerEvent.ContainsKey(id)).Order().ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} event(s) never applied, e.g. {string.Join(", ", lost.Take(10))}; {WhereLost(lost)}");
        Assert.DoesNotContain(effects.DeliveriesPerEvent.Keys, id => !expected.Contains(id));

        Assert.Equal(OrderStream.Distinct, effects.Applied);
        var wrong = Stream.ExpectedTotals()
            .Where(order => effects.Totals.GetValueOrDefault(order.Key) != order.Value)
            .Select(order => $"{order.Key}: {effects.Totals.GetValueOrDefault(order.Key)} instead of {order.Value}")
            .ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} order total(s) wrong, e.g. {string.Join("; ", wrong.Take(10))}");

        Assert.Equal(effects.Deliveries - OrderStream.Distinct, effects.Duplicates);
        Assert.True(effects.Duplicates >= Stream.Republished,
            $"only {effects.Duplicates} duplicate deliveries, though {Stream.Republished} events were published twice");
    }

    private string WhereLost(IReadOnlyCollection<string> lost)
    {
        var stored = TopicRecords.CountEventIds(_kafka.BootstrapServers, Contract.Topic);
        var inLog = lost.Count(stored.ContainsKey);
        return $"{inLog} of them are in the topic (lost by the consumer), {lost.Count - inLog} are not (lost by the producer); "
            + $"the topic holds {stored.Count} distinct events in {stored.Values.Sum()} records";
    }

    public void Log(string message) => _output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1}s {message}");

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
            _output.WriteLine($"--- worker {worker.Name}, last lines:\n{Tail(worker.Output, 40)}");
        }

        if (_publisher is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _publisher.StopAsync(stop.Token);
            _publisher.Dispose();
        }

        if (_redisClient is not null)
        {
            await _redisClient.DisposeAsync();
        }

        await _kafka.DisposeAsync();
        await _redis.DisposeAsync();
        _deadline.Dispose();
    }

    private async Task<string> DescribeAsync()
    {
        var applied = _redisClient is null ? -1 : await AppliedEffects.AppliedCountAsync(Redis, Keys);
        return $"{applied} applied, {Stream.Published} published, {Stream.FailedAttempts} failed publish attempts.";
    }

    private static async Task<IHost> StartPublisherAsync(string bootstrap, IReadOnlyDictionary<string, string>? producerSettings,
        ITestOutputHelper output, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Kafka:BootstrapServers"] = bootstrap });
        builder.Configuration.AddInMemoryCollection((producerSettings ?? new Dictionary<string, string>())
            .Select(s => new KeyValuePair<string, string?>($"Kafka:Producer:{s.Key}", s.Value)));
        // Failed publishes are counted and retried by the stream; thousands of them in an outage
        // would drown the output. Fatal errors (Critical) still show.
        builder.Logging.ClearProviders().AddProvider(new XunitLoggerProvider(output, LogLevel.Warning))
            .AddFilter("Mesh.Messaging", LogLevel.Critical);
        builder.Services.AddKafkaEvents(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));
}
