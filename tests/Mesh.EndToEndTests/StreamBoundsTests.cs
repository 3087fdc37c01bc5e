using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;

namespace Mesh.EndToEndTests;

/// <summary>Subscribe streams are bounded per user over every instance, and recycled with a way to resume.</summary>
[Collection(MeshCollection.Name)]
public sealed class StreamBoundsTests(MeshFixture mesh)
{
    private const int MaxStreamsPerUser = 5;

    [Fact]
    public async Task Subscribe_SixthStreamOfOneUserOverTwoGateways_ResourceExhaustedWithQuotaFailureUntilOneCloses()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        var streams = new List<NotificationStream>();
        try
        {
            for (var i = 0; i < MaxStreamsPerUser; i++)
            {
                streams.Add(await NotificationStream.OpenAsync(i % 2 == 0 ? user : user.On(mesh.SecondGateway)));
            }

            foreach (var gateway in new[] { user, user.On(mesh.SecondGateway) })
            {
                var refused = await RpcAssert.FailsWithAsync(StatusCode.ResourceExhausted, () => FirstMessageAsync(gateway));
                Assert.Contains("max-streams-per-user", refused.Detail<QuotaFailure>().Violations.Single().Subject, StringComparison.Ordinal);
                Assert.NotNull(refused.Detail<RetryInfo>());
            }

            await streams[0].DisposeAsync();
            streams.RemoveAt(0);
            var reopened = await Eventually.ReadAsync(
                async () =>
                {
                    try
                    {
                        return await NotificationStream.OpenAsync(user.On(mesh.SecondGateway));
                    }
                    catch (RpcException exception) when (exception.StatusCode == StatusCode.ResourceExhausted)
                    {
                        return null;
                    }
                },
                stream => stream is not null,
                TimeSpan.FromSeconds(10));
            Assert.NotNull(reopened);
            streams.Add(reopened);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Subscribe_LifetimeOver_EndsUnavailableWithResumePointAndResumeDeliversWhatWasMissed()
    {
        await using var extra = await mesh.StartExtraGatewayAsync(
            // Long enough for the first order's notification to arrive before it, on a loaded machine too.
            new Dictionary<string, string> { ["Notifications__MaxStreamLifetime"] = "00:00:12" },
            new Dictionary<string, string>());
        var user = await TestUser.CreateAsync(mesh.Gateway);
        var subscriber = new Notifications.NotificationsClient(extra.Channel);
        using var first = subscriber.Subscribe(new SubscribeRequest(), new CallOptions(user.Headers));
        await first.ResponseHeadersAsync.WaitAsync(TimeSpan.FromSeconds(15));

        var before = await user.PlaceOrderAsync("before-recycle", TestUser.Line());
        Assert.True(await first.ResponseStream.MoveNext().WaitAsync(TimeSpan.FromSeconds(30)));
        var received = first.ResponseStream.Current;
        Assert.Equal(before.OrderId, received.OrderId);
        var ended = await Assert.ThrowsAsync<RpcException>(() => first.ResponseStream.MoveNext().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        var status = ended.GetRpcStatus()!;
        var info = status.Detail<ErrorInfo>();
        Assert.Equal("STREAM_RECYCLED", info.Reason);
        Assert.Equal(received.NotificationId, info.Metadata["resume_after"]);
        Assert.NotNull(status.Detail<RetryInfo>());

        var missed = await user.PlaceOrderAsync("while-away", TestUser.Line());
        await Eventually.ReadAsync(
            () => user.Notifications.ListNotificationsAsync(new ListNotificationsRequest(), user.Call()).ResponseAsync,
            page => page.Notifications.Any(n => n.OrderId == missed.OrderId),
            TimeSpan.FromSeconds(30));
        using var resumed = subscriber.Subscribe(new SubscribeRequest { ResumeAfter = info.Metadata["resume_after"] }, new CallOptions(user.Headers));
        var seen = new List<string>();
        while (!seen.Contains(missed.OrderId))
        {
            Assert.True(await resumed.ResponseStream.MoveNext().WaitAsync(TimeSpan.FromSeconds(15)), "The resumed stream ended before the missed notification.");
            seen.Add(resumed.ResponseStream.Current.OrderId);
        }

        Assert.DoesNotContain(before.OrderId, seen);
    }

    [Fact]
    public async Task Subscribe_UnknownResumePoint_NotFound()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);

        await RpcAssert.FailsWithAsync(StatusCode.NotFound, async () =>
        {
            using var call = user.Notifications.Subscribe(new SubscribeRequest { ResumeAfter = "ntf_nothing" }, user.Call());
            await call.ResponseStream.MoveNext();
        });
    }

    private static async Task FirstMessageAsync(TestUser user)
    {
        using var call = user.Notifications.Subscribe(new SubscribeRequest(), user.Call());
        await call.ResponseStream.MoveNext();
    }
}
