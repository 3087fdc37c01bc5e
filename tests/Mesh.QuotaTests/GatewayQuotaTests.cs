using System.Diagnostics;
using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.QuotaTests.Infrastructure;
using Mesh.Testing;

namespace Mesh.QuotaTests;

public sealed class GatewayQuotaTests(GatewayPair gateways) : IClassFixture<GatewayPair>
{
    [Fact]
    public async Task ListSessions_64CallersOnTwoGateways_AdmitsAtMostTheBucketAndNearlyAllOfIt()
    {
        var session = await gateways.NewSessionAsync();
        var clients = new[] { new Auth.AuthClient(gateways.First.Channel), new Auth.AuthClient(gateways.Second.Channel) };
        long admitted = 0, rejected = 0, unavailable = 0, lastStartTicks = 0;
        var duration = TimeSpan.FromSeconds(10);
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, 64).Select(caller => Task.Run(async () =>
        {
            var client = clients[caller % 2];
            while (clock.Elapsed < duration)
            {
                InterlockedMax(ref lastStartTicks, clock.Elapsed.Ticks);
                try
                {
                    await client.ListSessionsAsync(new ListSessionsRequest(), session, DateTime.UtcNow.AddSeconds(10));
                    Interlocked.Increment(ref admitted);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
                {
                    Interlocked.Increment(ref rejected);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    Interlocked.Increment(ref unavailable);
                }
            }
        })));
        var elapsed = clock.Elapsed;

        // Upper bound over the whole run; the lower one over the time calls were still being
        // started, since tokens that refill while the last calls are in flight have no taker.
        var bound = GatewayPair.Capacity + (GatewayPair.RefillPerSecond * elapsed.TotalSeconds);
        var reachable = GatewayPair.Capacity + (GatewayPair.RefillPerSecond * TimeSpan.FromTicks(lastStartTicks).TotalSeconds);
        var report = $"admitted {admitted}, bound {bound:0.0} over {elapsed.TotalSeconds:0.00} s, {reachable:0.0} while calls started, rejected {rejected}, unavailable {unavailable}";
        Assert.True(admitted <= bound, report);
        Assert.True(admitted >= 0.95 * reachable, report);
        Assert.True(rejected > admitted, report);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    [Fact]
    public async Task ListSessions_TenantPolicyWithCost_SharedAcrossUsersAndNamedInRejection()
    {
        var tenant = $"acme-{Guid.NewGuid():N}";
        var alice = await gateways.NewSessionAsync();
        var bob = await gateways.NewSessionAsync();
        alice.Add("x-tenant", tenant);
        bob.Add("x-tenant", tenant);
        var first = new Auth.AuthClient(gateways.First.Channel);
        var second = new Auth.AuthClient(gateways.Second.Channel);

        var call = first.ListSessionsAsync(new ListSessionsRequest(), alice);
        await call.ResponseAsync;
        var headers = await call.ResponseHeadersAsync;
        await second.ListSessionsAsync(new ListSessionsRequest(), bob);
        await first.ListSessionsAsync(new ListSessionsRequest(), bob);
        var rejection = await Assert.ThrowsAsync<RpcException>(() => second.ListSessionsAsync(new ListSessionsRequest(), alice).ResponseAsync);

        Assert.Equal($"{GatewayPair.TenantCapacity}", headers.GetValue("x-ratelimit-limit"));
        Assert.Equal("4", headers.GetValue("x-ratelimit-remaining"));
        Assert.Equal(StatusCode.ResourceExhausted, rejection.StatusCode);
        Assert.Contains("'tenant'", rejection.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("0", rejection.Trailers.GetValue("x-ratelimit-remaining"));
        var retry = rejection.GetRpcStatus()?.GetDetail<RetryInfo>();
        Assert.NotNull(retry);
        Assert.InRange(retry.RetryDelay.ToTimeSpan(), TimeSpan.FromSeconds(150), TimeSpan.FromSeconds(201));
    }

    [Fact]
    public async Task Start_PolicyNamingUnknownMethod_GatewayRefusesToStart()
    {
        var environment = GatewayPair.Environment(gateways.RedisConnection);
        environment["Quotas__Policies__typo__Match__method"] = "/mesh.v1.Orders/PlaceOrdr";
        environment["Quotas__Policies__typo__Capacity"] = "5";
        environment["Quotas__Policies__typo__RefillPerSecond"] = "1";
        await using var gateway = ServiceProcess.Start(BuildOutputs.Gateway, environment);

        var exitCode = await gateway.Process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("'/mesh.v1.Orders/PlaceOrdr' is not a method of the gateway", gateway.Process.Output, StringComparison.Ordinal);
    }
}
