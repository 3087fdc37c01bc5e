using Envoy.Service.Ratelimit.V3;
using Grpc.Core;
using Mesh.Contracts.Sidecar.V1;
using Mesh.QuotaTests.Infrastructure;
using Mesh.Testing;
using EnvoyDescriptor = Envoy.Extensions.Common.Ratelimit.V3.RateLimitDescriptor;
using static Envoy.Service.Ratelimit.V3.RateLimitResponse.Types;

namespace Mesh.QuotaTests;

public sealed class SidecarRateLimitTests(SidecarHost host) : IClassFixture<SidecarHost>
{
    private RateLimitService.RateLimitServiceClient Envoy => new(host.Sidecar.Channel.As());

    private RateLimits.RateLimitsClient Native => new(host.Sidecar.Channel.As());

    [Fact]
    public async Task ShouldRateLimit_BucketEmpties_OkThenOverLimitWithStatuses()
    {
        var address = NewAddress();

        var responses = new List<RateLimitResponse>();
        for (var i = 0; i <= SidecarHost.PerAddressCapacity; i++)
        {
            responses.Add(await ShouldRateLimitAsync("edge", 0, [("remote_address", address)]));
        }

        Assert.Equal([Code.Ok, Code.Ok, Code.Ok, Code.Ok, Code.Ok, Code.OverLimit], responses.Select(r => r.OverallCode));
        Assert.Equal([4u, 3u, 2u, 1u, 0u, 0u], responses.Select(r => Assert.Single(r.Statuses).LimitRemaining));
        var last = responses[^1].Statuses[0];
        Assert.Equal(Code.OverLimit, last.Code);
        Assert.Equal("per-address", last.CurrentLimit.Name);
        Assert.Equal(36u, last.CurrentLimit.RequestsPerUnit);
        Assert.Equal(RateLimit.Types.Unit.Hour, last.CurrentLimit.Unit);
        Assert.InRange(last.DurationUntilReset.ToTimeSpan(), TimeSpan.FromSeconds(400), TimeSpan.FromSeconds(501));
    }

    [Fact]
    public async Task ShouldRateLimit_HitsAddend_ChargesThatManyOrNothing()
    {
        var address = NewAddress();

        var three = await ShouldRateLimitAsync("edge", 3, [("remote_address", address)]);
        var tooMany = await ShouldRateLimitAsync("edge", 3, [("remote_address", address)]);
        var two = await ShouldRateLimitAsync("edge", 2, [("remote_address", address)]);

        Assert.Equal((Code.Ok, 2u), (three.OverallCode, three.Statuses[0].LimitRemaining));
        Assert.Equal((Code.OverLimit, 2u), (tooMany.OverallCode, tooMany.Statuses[0].LimitRemaining));
        Assert.Equal((Code.Ok, 0u), (two.OverallCode, two.Statuses[0].LimitRemaining));
    }

    [Fact]
    public async Task ShouldRateLimit_OneOfTwoDescriptorsOver_OverLimitAndOtherBucketUntouched()
    {
        var address = NewAddress();
        var path = $"/login-{Guid.NewGuid():N}";
        await ShouldRateLimitAsync("edge", 2, [("path", "/login")]); // Login's bucket (2 a minute) is shared: empty it.
        var before = await ShouldRateLimitAsync("edge", 0, [("remote_address", address)]);

        var both = await ShouldRateLimitAsync("edge", 0, [("remote_address", address)], [("path", "/login")]);
        var after = await ShouldRateLimitAsync("edge", 0, [("remote_address", address)], [("path", path)]);

        Assert.Equal(Code.OverLimit, both.OverallCode);
        Assert.Equal([Code.Ok, Code.OverLimit], both.Statuses.Select(s => s.Code));
        Assert.Equal("login", both.Statuses[1].CurrentLimit.Name);
        Assert.Equal((2u, RateLimit.Types.Unit.Minute), (both.Statuses[1].CurrentLimit.RequestsPerUnit, both.Statuses[1].CurrentLimit.Unit));
        Assert.Equal(before.Statuses[0].LimitRemaining - 1, after.Statuses[0].LimitRemaining);
    }

    [Fact]
    public async Task ShouldRateLimit_DescriptorMatchingNoPolicy_FallsUnderDefault()
    {
        var tenant = $"t-{Guid.NewGuid():N}";

        var responses = new List<RateLimitResponse>();
        for (var i = 0; i <= SidecarHost.DefaultCapacity; i++)
        {
            responses.Add(await ShouldRateLimitAsync("billing", 0, [("tenant", tenant)]));
        }

        Assert.Equal([Code.Ok, Code.Ok, Code.Ok, Code.OverLimit], responses.Select(r => r.OverallCode));
        Assert.All(responses, r => Assert.Equal("default", r.Statuses[0].CurrentLimit.Name));
    }

    [Fact]
    public async Task Check_NativeApi_ReportsPolicyTokensAndRetryDelay()
    {
        var address = NewAddress();
        var request = new CheckRequest { Domain = "edge", Hits = 5 };
        request.Descriptors.Add(new CheckRequest.Types.RequestDescriptor { Entries = { new CheckRequest.Types.Entry { Key = "remote_address", Value = address } } });

        var first = await Native.CheckAsync(request, deadline: Deadline);
        var second = await Native.CheckAsync(request, deadline: Deadline);

        Assert.Equal((true, CheckResponse.Types.Outcome.Allowed), (first.Allowed, first.Outcome));
        Assert.Equal((false, CheckResponse.Types.Outcome.Rejected), (second.Allowed, second.Outcome));
        var result = Assert.Single(second.Results);
        Assert.Equal(("per-address", 5d, false), (result.Policy, result.Limit, result.Allowed));
        Assert.InRange(result.Remaining, 0, 0.1);
        Assert.InRange(result.RetryAfter.ToTimeSpan(), TimeSpan.FromSeconds(490), TimeSpan.FromSeconds(501));
    }

    [Fact]
    public async Task ShouldRateLimit_NoDescriptors_InvalidArgument()
    {
        var exception = await Assert.ThrowsAsync<RpcException>(() => Envoy.ShouldRateLimitAsync(new RateLimitRequest { Domain = "edge" }, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
    }

    [Fact]
    public async Task ShouldRateLimit_MethodSpelledOtherwise_ChargesThePolicyOfTheMethod()
    {
        var user = Guid.NewGuid().ToString("N");
        string[] spellings = ["/mesh.v1.Orders/PlaceOrder", "/MESH.V1.ORDERS/PLACEORDER", "/mesh.v1.orders/placeorder/"];

        var responses = new List<RateLimitResponse>();
        foreach (var method in spellings)
        {
            responses.Add(await ShouldRateLimitAsync("grpc", 0, [("method", method), ("user", user)]));
        }

        Assert.Equal([Code.Ok, Code.Ok, Code.OverLimit], responses.Select(r => r.OverallCode));
        Assert.All(responses, r => Assert.Equal("place-order", Assert.Single(r.Statuses).CurrentLimit.Name));
    }

    [Fact]
    public async Task Check_MethodNoPolicyNames_SpellingsShareTheDefaultBucket()
    {
        var service = $"/t{Guid.NewGuid():N}.Svc";
        string[] spellings = [$"{service}/Call", $"{service.ToUpperInvariant()}/CALL", $"{service}/call/", $"{service}/Call"];

        var allowed = new List<bool>();
        foreach (var method in spellings)
        {
            var request = new CheckRequest { Domain = "grpc" };
            request.Descriptors.Add(new CheckRequest.Types.RequestDescriptor { Entries = { new CheckRequest.Types.Entry { Key = "method", Value = method } } });
            allowed.Add((await Native.CheckAsync(request, deadline: Deadline)).Allowed);
        }

        Assert.Equal([true, true, true, false], allowed);
    }

    [Fact]
    public async Task Check_WithoutAppToken_Unauthenticated()
    {
        var anonymous = new RateLimits.RateLimitsClient(host.Sidecar.Channel);
        var request = new CheckRequest { Domain = "edge" };
        request.Descriptors.Add(new CheckRequest.Types.RequestDescriptor { Entries = { new CheckRequest.Types.Entry { Key = "remote_address", Value = NewAddress() } } });

        var failure = await Assert.ThrowsAsync<RpcException>(() => anonymous.CheckAsync(request, deadline: Deadline).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, failure.StatusCode);
    }

    [Fact]
    public async Task ShouldRateLimit_SameDescriptorFromAnotherApp_ItsOwnBucket()
    {
        var address = NewAddress();
        for (var i = 0; i < SidecarHost.PerAddressCapacity; i++)
        {
            await ShouldRateLimitAsync("edge", 0, [("remote_address", address)]);
        }

        var mine = await ShouldRateLimitAsync("edge", 0, [("remote_address", address)]);
        var theirs = await new RateLimitService.RateLimitServiceClient(host.Sidecar.Channel.As(SidecarApps.Other)).ShouldRateLimitAsync(
            Request("edge", 0, [("remote_address", address)]), deadline: Deadline);

        Assert.Equal(Code.OverLimit, mine.OverallCode);
        Assert.Equal(Code.Ok, theirs.OverallCode);
    }

    [Fact]
    public async Task Check_DescriptorOfTheGatewaysBucket_ChargesOnlyKeysOfTheCallingApp()
    {
        var victim = $"user:{Guid.NewGuid():N}";
        var request = new CheckRequest { Domain = "gateway", Hits = 3 };
        request.Descriptors.Add(new CheckRequest.Types.RequestDescriptor
        {
            Entries =
            {
                new CheckRequest.Types.Entry { Key = "subject", Value = victim },
                new CheckRequest.Types.Entry { Key = "method", Value = "/mesh.v1.Orders/ListOrders" },
            },
        });

        await Native.CheckAsync(request, deadline: Deadline);

        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(host.RedisConnection);
        var keys = new List<string>();
        await foreach (var key in redis.GetServer(redis.GetEndPoints()[0]).KeysAsync(pattern: $"quotas:*{victim}*"))
        {
            keys.Add(key.ToString());
        }

        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.StartsWith($"quotas:sidecar/{SidecarApps.Tests}/gateway:", key, StringComparison.Ordinal));
    }

    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(10);

    private static string NewAddress() => $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}-{Guid.NewGuid():N}";

    private async Task<RateLimitResponse> ShouldRateLimitAsync(string domain, uint hits, params (string Key, string Value)[][] descriptors) =>
        await Envoy.ShouldRateLimitAsync(Request(domain, hits, descriptors), deadline: Deadline);

    private static RateLimitRequest Request(string domain, uint hits, params (string Key, string Value)[][] descriptors)
    {
        var request = new RateLimitRequest { Domain = domain, HitsAddend = hits };
        foreach (var entries in descriptors)
        {
            var descriptor = new EnvoyDescriptor();
            descriptor.Entries.AddRange(entries.Select(e => new EnvoyDescriptor.Types.Entry { Key = e.Key, Value = e.Value }));
            request.Descriptors.Add(descriptor);
        }

        return request;
    }
}
