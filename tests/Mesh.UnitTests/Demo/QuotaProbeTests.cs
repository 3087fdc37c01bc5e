using Grpc.Core;
using Mesh.Cli.Demo;
using Mesh.Contracts.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.UnitTests.Demo;

/// <summary>The demo's quota probe against an in-process Orders service whose "quota" runs out after a set number of calls.</summary>
public sealed class QuotaProbeTests
{
    [Fact]
    public async Task RunAsync_QuotaRunsOut_StopsAtTheRejectionWithSeveralCallsInFlight()
    {
        var orders = new CountingOrders(allowed: 40);
        await using var server = await StartAsync(orders);
        using var client = new MeshClient(server.Address, TimeSpan.FromSeconds(10));

        var outcome = await QuotaProbe.RunAsync(client, "ord_1", maxCalls: 200, CancellationToken.None);

        Assert.Equal(StatusCode.ResourceExhausted, outcome.Rejection?.StatusCode);
        // The 41st call is the first refused; the others in flight then may still have been sent.
        Assert.InRange(outcome.Calls, 41, 41 + QuotaProbe.InFlight);
        Assert.InRange(orders.Calls, 41, 41 + QuotaProbe.InFlight);
        Assert.True(orders.MostAtOnce > 1, $"at most {orders.MostAtOnce} call in flight");
    }

    [Fact]
    public async Task RunAsync_NeverRejected_StopsAtTheBound()
    {
        var orders = new CountingOrders(allowed: int.MaxValue);
        await using var server = await StartAsync(orders);
        using var client = new MeshClient(server.Address, TimeSpan.FromSeconds(10));

        var outcome = await QuotaProbe.RunAsync(client, "ord_1", maxCalls: 30, CancellationToken.None);

        Assert.Null(outcome.Rejection);
        Assert.Equal(30, outcome.Calls);
        Assert.Equal(30, orders.Calls);
    }

    private static async Task<Server> StartAsync(CountingOrders orders)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(orders);
        var app = builder.Build();
        app.MapGrpcService<CountingOrders>();
        await app.StartAsync();
        return new Server(app, new Uri(app.Urls.First())); // the port Kestrel bound, once started
    }

    private sealed record Server(WebApplication App, Uri Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }

    /// <summary>Answers GetOrder after a short wait, refusing every call past the first <c>allowed</c> as a quota would.</summary>
    private sealed class CountingOrders(int allowed) : global::Mesh.Contracts.V1.Orders.OrdersBase
    {
        private int _calls;
        private int _inFlight;
        private int _mostAtOnce;

        public int Calls => Volatile.Read(ref _calls);

        public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

        public override async Task<Order> GetOrder(GetOrderRequest request, ServerCallContext context)
        {
            var call = Interlocked.Increment(ref _calls);
            var now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _mostAtOnce, now);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20));
                return call <= allowed
                    ? new Order { OrderId = request.OrderId }
                    : throw new RpcException(new Status(StatusCode.ResourceExhausted, "quota 'test' exhausted"));
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            var current = Volatile.Read(ref target);
            while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
            {
                current = seen;
            }
        }
    }
}
