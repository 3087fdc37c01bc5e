using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;
using Xunit.Abstractions;

namespace Mesh.EndToEndTests;

/// <summary>
/// An outage of a dependency is not a poison record: with Redis frozen or every broker down for far
/// longer than the services' retry budget while orders are in flight, every order the service
/// accepted still ends CONFIRMED or REJECTED, and no record reaches a dead-letter topic.
/// </summary>
[Collection(IsolatedCollection.Name)]
public sealed class DependencyOutageTests(ITestOutputHelper output)
{
    private const int Users = 4;

    // Test mode's budget is 2 attempts about 50 ms apart, each failing after 1 s (Redis) or 1.5 s
    // (a publish) while the dependency is away: both outages last several budgets.
    private static readonly TimeSpan RedisOutage = TimeSpan.FromSeconds(9);

    // Shorter than the consumers' session timeout (6 s in Development): a longer one expires their
    // group sessions, the partitions are lost, and the rebalance rescues the stalled records on its
    // own (their dead letters are abandoned with the partition), so the library's waiting is not tested.
    private static readonly TimeSpan BrokerOutage = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(45);

    // Outages tried until one catches a record in a handler.
    private const int MaxOutages = 3;

    // Publishes linger 500 ms in test mode: this long after an order is accepted, the users service
    // has handled its OrderPlaced and the CreditReserved it publishes is halfway through that wait,
    // whatever the other users' orders are doing. (At the moment of acceptance the OrderPlaced is not
    // fetched yet, and the users' orders can run in step: CI once caught nothing in three outages.)
    private static readonly TimeSpan BrokerDownAfterAccepted = TimeSpan.FromMilliseconds(250);

    // How long a stall caused by the outage may take to reach the log the test reads (the AppHost
    // copies each service's console output): it is logged about 3 s into the outage.
    private static readonly TimeSpan StallLogLag = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task PlaceOrders_RedisFrozenLongerThanTheRetryBudget_EveryAcceptedOrderSettlesNothingDeadLettered()
    {
        await using var mesh = await IsolatedMesh.StartAsync();

        // Frozen the moment an order is accepted: every handler of its saga then needs Redis.
        await RunOutageAsync(mesh, "Redis frozen (SIGSTOP)", RedisOutage, TimeSpan.Zero, mesh.Redis.Freeze, mesh.Redis.Thaw);
    }

    [Fact]
    public async Task PlaceOrders_EveryBrokerDownLongerThanTheRetryBudget_EveryAcceptedOrderSettlesNothingDeadLettered()
    {
        await using var mesh = await IsolatedMesh.StartAsync();

        await RunOutageAsync(mesh, "every broker down", BrokerOutage, BrokerDownAfterAccepted,
            () => mesh.Kafka.Cluster.SetBrokerDown(-1), () => mesh.Kafka.Cluster.SetBrokerUp(-1));
    }

    private async Task RunOutageAsync(
        IsolatedMesh mesh, string outage, TimeSpan duration, TimeSpan afterAccepted, Action fail, Action heal)
    {
        var users = await Task.WhenAll(Enumerable.Range(0, Users).Select(_ => mesh.RegisterAsync()));
        var accepted = new ConcurrentQueue<(string UserId, string OrderId)>();
        var trigger = new OutageTrigger(afterAccepted, fail);
        using var placing = new CancellationTokenSource();
        var placers = users.Select(user => PlaceUntilStoppedAsync(mesh, user, accepted, trigger, placing.Token)).ToList();

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var stalled = mesh.PrintedAsync("is stalled"); // what a record caught in flight logs
        var acceptedBefore = -1;
        var stalledDuringOutage = false;
        var outages = 0;
        while (!stalledDuringOutage && outages < MaxOutages)
        {
            outages++;
            // The dependency fails when (or just after) an order is accepted, so that its saga is in
            // flight: at an arbitrary moment a fast machine had settled every order and caught
            // nothing. The outage is tried again if it still did not.
            var failed = trigger.Arm();
            Assert.True(await Task.WhenAny(failed, Task.Delay(TimeSpan.FromSeconds(20))) == failed,
                $"No order was accepted within 20 s to start outage {outages}.\n" + mesh.Logs());
            await failed;
            if (acceptedBefore < 0)
            {
                acceptedBefore = accepted.Count;
            }

            try
            {
                await Task.Delay(duration);
            }
            finally
            {
                heal();
            }

            // A stall is only ever caused by the outage; its line can reach the log a little later.
            stalledDuringOutage = await Task.WhenAny(stalled, Task.Delay(StallLogLag)) == stalled;
        }

        await placing.CancelAsync();
        await Task.WhenAll(placers);

        var clock = Stopwatch.StartNew();
        var orders = await SettleAsync(mesh, [.. accepted]);
        output.WriteLine($"{outage}: {accepted.Count} orders accepted ({acceptedBefore} before it), settled {clock.Elapsed.TotalSeconds:F1} s after placing stopped; {outages} outage(s), records caught in flight: {stalledDuringOutage}");
        var pending = orders.Where(o => o.Status == OrderStatus.Pending).Select(o => o.OrderId).ToList();

        Assert.True(acceptedBefore > 0, "No order was accepted before the outage.\n" + mesh.Logs());
        Assert.True(pending.Count == 0, $"{pending.Count} accepted order(s) still PENDING: {string.Join(", ", pending)}\n" + mesh.Logs());
        Assert.All(orders, o => Assert.Contains(o.Status, new[] { OrderStatus.Confirmed, OrderStatus.Rejected }));
        Assert.True(mesh.DeadLetters() == 0, $"Records were dead-lettered during {outage}.\n" + mesh.Logs());
        // Last, so that it cannot hide the outcome: the outage did catch records in a handler.
        Assert.True(stalledDuringOutage, $"No record was caught in flight by the outage ({outage}).\n" + mesh.Logs());
    }

    /// <summary>One user placing orders one after the other; what the service refused or never answered in time is not accepted.</summary>
    private static async Task PlaceUntilStoppedAsync(
        IsolatedMesh mesh, string userId, ConcurrentQueue<(string UserId, string OrderId)> accepted, OutageTrigger trigger, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            try
            {
                var order = await mesh.PlaceOrderAsync(userId, $"outage-{i}", stop);
                accepted.Enqueue((userId, order.OrderId));
                await trigger.OrderAcceptedAsync();
            }
            catch (RpcException)
            {
                // Unavailable or past its deadline during the outage, or cancelled at the end.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        }
    }

    /// <summary>Runs the failure <paramref name="afterAccepted"/> after the first order accepted after each <see cref="Arm"/>.</summary>
    private sealed class OutageTrigger(TimeSpan afterAccepted, Action fail)
    {
        private TaskCompletionSource? _armed;

        /// <summary>Completes once the failure ran.</summary>
        public Task Arm()
        {
            var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _armed, armed);
            return armed.Task;
        }

        public async Task OrderAcceptedAsync()
        {
            if (Interlocked.Exchange(ref _armed, null) is { } armed)
            {
                try
                {
                    await Task.Delay(afterAccepted);
                    fail();
                    armed.SetResult();
                }
                catch (Exception exception)
                {
                    armed.SetException(exception); // The test's wait rethrows it.
                }
            }
        }
    }

    /// <summary>Every accepted order, polled until none is PENDING or <see cref="Settle"/> passed.</summary>
    private static Task<List<Order>> SettleAsync(IsolatedMesh mesh, List<(string UserId, string OrderId)> accepted) => Poll.ReadAsync(
        async () => (await Task.WhenAll(accepted.Select(a => mesh.GetOrderAsync(a.UserId, a.OrderId)))).ToList(),
        orders => orders.All(o => o.Status != OrderStatus.Pending),
        Settle,
        TimeSpan.FromMilliseconds(500));
}
