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
        var warmUp = await gateways.NewSessionAsync(); // another user's bucket: the quota path of both gateways is warm
        await Task.WhenAll(clients.Select(client => client.ListSessionsAsync(new ListSessionsRequest(), warmUp).ResponseAsync));
        long admitted = 0, rejected = 0, unavailable = 0, firstAnswerTicks = long.MaxValue;
        var duration = TimeSpan.FromSeconds(10);
        var clock = Stopwatch.StartNew();

        // The bucket is made full by the first call that reaches it, which a loaded gateway may
        // answer seconds after the callers start: the tokens of those seconds never existed. The
        // lower bound counts from the first answer (the bucket existed by then), the upper bound
        // from the start, which only loosens it.
        void Answered() => Interlocked.CompareExchange(ref firstAnswerTicks, clock.Elapsed.Ticks, long.MaxValue);

        await Task.WhenAll(Enumerable.Range(0, 64).Select(caller => Task.Run(async () =>
        {
            var client = clients[caller % 2];
            while (clock.Elapsed < duration)
            {
                try
                {
                    await client.ListSessionsAsync(new ListSessionsRequest(), session, DateTime.UtcNow.AddSeconds(10));
                    Answered();
                    Interlocked.Increment(ref admitted);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
                {
                    Answered();
                    Interlocked.Increment(ref rejected);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    Interlocked.Increment(ref unavailable);
                }
            }
        })));
        var elapsed = clock.Elapsed;

        // Tokens that refilled while no caller could take them (a stall near the end) are still in
        // the bucket, not lost: once any refusal cached by the gateways has lapsed, one caller takes
        // them until refused. Only what the other gateway leased and nobody used is lost.
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        long drained = 0;
        for (var i = 0; i < 2 * GatewayPair.Capacity; i++)
        {
            try
            {
                await clients[0].ListSessionsAsync(new ListSessionsRequest(), session, DateTime.UtcNow.AddSeconds(10));
                drained++;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                break;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                unavailable++; // as in the loaded phase: no answer about the bucket
            }
        }

        var drainedBy = clock.Elapsed;
        var firstAnswer = TimeSpan.FromTicks(firstAnswerTicks);
        var bound = GatewayPair.Capacity + (GatewayPair.RefillPerSecond * elapsed.TotalSeconds);
        var reachable = GatewayPair.Capacity + (GatewayPair.RefillPerSecond * drainedBy.TotalSeconds);
        var reachableFromFirstAnswer = GatewayPair.Capacity + (GatewayPair.RefillPerSecond * (drainedBy - firstAnswer).TotalSeconds);
        var report = $"admitted {admitted}, bound {bound:0.0} over {elapsed.TotalSeconds:0.00} s, then {drained} more taken by {drainedBy.TotalSeconds:0.00} s " +
            $"(bucket {reachableFromFirstAnswer:0.0} by then from the first answer at {firstAnswer.TotalSeconds:0.00} s), rejected {rejected}, unavailable {unavailable}";
        Assert.True(admitted <= bound, report);
        Assert.True(admitted + drained <= reachable, report);
        Assert.True(admitted + drained >= 0.95 * reachableFromFirstAnswer, report);
        Assert.True(rejected > admitted, report);
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
