using System.Collections.Concurrent;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging.Consuming;
using Mesh.Messaging.Tests.Support;
using Mesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Mesh.Messaging.Tests;

public sealed class ConsumerDispatchTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly KafkaBrokerFixture _kafka = new();
    private readonly string _group = "test-" + Guid.NewGuid().ToString("N");

    public Task InitializeAsync() => _kafka.InitializeAsync();

    public Task DisposeAsync() => _kafka.DisposeAsync();

    [Fact]
    public async Task Consume_ManyKeysWithRandomDelays_EachKeyInOrderKeysOverlapAndConcurrencyBounded()
    {
        const int keys = 24, perKey = 12, maxConcurrency = 6;
        var running = 0;
        var maxRunning = 0;
        var probe = new OrderHandlerProbe
        {
            Behavior = async (_, _) =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref maxRunning, now);
                await Task.Delay(Random.Shared.Next(1, 12));
                Interlocked.Decrement(ref running);
            },
        };
        var settings = new Dictionary<string, string?> { ["Kafka:MaxConcurrency"] = maxConcurrency.ToString() };
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output, settings: settings);

        RawKafka.ProduceInOrder(_kafka.BootstrapServers,
            from seq in Enumerable.Range(0, perKey) from key in Enumerable.Range(0, keys) select Order($"key-{key}", seq));
        var handled = await probe.TakeAsync(keys * perKey);

        foreach (var key in handled.GroupBy(h => h.Order.OrderId))
        {
            Assert.Equal(Enumerable.Range(0, perKey), key.Select(h => (int)h.Order.TotalCents));
        }

        Assert.InRange(maxRunning, 2, maxConcurrency);
    }

    [Fact]
    public async Task Consume_HandlersBlocked_BufferedRecordsStopAtMaxBufferedRecordsThenAllAreHandled()
    {
        const int total = 300, maxBuffered = 20;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new OrderHandlerProbe { Behavior = (_, _) => release.Task };
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:MaxConcurrency"] = "4",
            ["Kafka:MaxBufferedRecords"] = maxBuffered.ToString(),
            ["Kafka:PauseAfter"] = "00:00:00.500", // within the observation below
        };
        await using var host = await MessagingHost.StartAsync(_kafka.BootstrapServers, _group, probe, output, settings: settings);
        var scheduler = host.Services.GetRequiredService<RecordScheduler>();

        RawKafka.ProduceInOrder(_kafka.BootstrapServers, Enumerable.Range(0, total).Select(i => Order($"key-{i}", 0)));
        await Poll.UntilAsync(
            () => scheduler.Buffered >= maxBuffered, MessagingHost.Wait, () => $"only {scheduler.Buffered} of {maxBuffered} records buffered", TimeSpan.FromMilliseconds(10));

        // Full: first the loop only waits, after Kafka:PauseAfter it pauses the partitions; neither takes more.
        var observed = new List<int>();
        for (var i = 0; i < 60; i++)
        {
            observed.Add(scheduler.Buffered);
            await Task.Delay(25);
        }

        release.SetResult();
        var handled = await probe.TakeAsync(total);

        output.WriteLine($"buffered while blocked: {string.Join(",", observed)}");
        Assert.Equal(maxBuffered, observed.Max());
        Assert.Equal(total, handled.Select(h => h.Order.OrderId).Distinct().Count());
    }

    private static OrderPlaced Order(string key, int seq)
    {
        var order = Orders.Placed(key);
        order.TotalCents = seq;
        return order;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var current = Volatile.Read(ref target); value > current; current = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current)
            {
                return;
            }
        }
    }
}
