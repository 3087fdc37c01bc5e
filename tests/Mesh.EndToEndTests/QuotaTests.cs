using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;

namespace Mesh.EndToEndTests;

[Collection(MeshCollection.Name)]
public sealed class QuotaTests(MeshFixture mesh)
{
    [Fact]
    public async Task ListOrders_BeyondCapacity_ResourceExhaustedWithRetryInfo()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);

        var first = user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call());
        await first.ResponseAsync;
        var headers = await first.ResponseHeadersAsync;
        Assert.Equal(MeshFixture.QuotaCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture), headers.GetValue("x-ratelimit-limit"));
        Assert.Equal((MeshFixture.QuotaCapacity - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), headers.GetValue("x-ratelimit-remaining"));

        // A bucket's worth of calls at once, again until one is refused: one after the other, slow
        // calls on a loaded machine could keep pace with the refill and never be refused.
        RpcException? rejection = null;
        for (var burst = 0; burst < 10 && rejection is null; burst++)
        {
            var calls = await Task.WhenAll(Enumerable.Range(0, MeshFixture.QuotaCapacity).Select(async _ =>
            {
                try
                {
                    await user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call());
                    return null;
                }
                catch (RpcException exception)
                {
                    return exception;
                }
            }));
            rejection = calls.FirstOrDefault(exception => exception is not null);
        }

        Assert.NotNull(rejection);
        Assert.Equal(StatusCode.ResourceExhausted, rejection.StatusCode);
        var retry = rejection.GetRpcStatus()?.GetDetail<RetryInfo>();
        Assert.NotNull(retry);
        Assert.InRange(retry.RetryDelay.ToTimeSpan(), TimeSpan.FromTicks(1), TimeSpan.FromSeconds(1));
        Assert.Equal("0", rejection.Trailers.GetValue("x-ratelimit-remaining"));
        Assert.Contains("default", rejection.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListOrders_OtherUsersBucketEmpty_StillAllowed()
    {
        var busy = await TestUser.CreateAsync(mesh.Gateway);
        var quiet = await TestUser.CreateAsync(mesh.Gateway);
        for (var call = 0; call < MeshFixture.QuotaCapacity * 3; call++)
        {
            try
            {
                await busy.Orders.ListOrdersAsync(new ListOrdersRequest(), busy.Call());
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.ResourceExhausted)
            {
                break;
            }
        }

        var listed = await quiet.Orders.ListOrdersAsync(new ListOrdersRequest(), quiet.Call());

        Assert.Empty(listed.Orders);
    }

    [Fact]
    public async Task ListOrders_RandomBearerTokens_ChargedToTheAddressUntilResourceExhausted()
    {
        var orders = new Orders.OrdersClient(mesh.SecondGateway);
        var address = ClientAddress.Random("192.0.2");
        var statuses = new List<StatusCode>();
        RpcException? last = null;
        for (var call = 0; call < MeshFixture.QuotaCapacity * 3 && last?.StatusCode != StatusCode.ResourceExhausted; call++)
        {
            var headers = new Metadata { { "authorization", $"Bearer {Guid.NewGuid():N}" } }.As(address);
            last = await Assert.ThrowsAsync<RpcException>(() => orders.ListOrdersAsync(new ListOrdersRequest(), headers, TestUser.Deadline).ResponseAsync);
            statuses.Add(last.StatusCode);
        }

        Assert.Equal(StatusCode.Unauthenticated, statuses[0]);
        Assert.InRange(statuses.Count(s => s == StatusCode.Unauthenticated), MeshFixture.QuotaCapacity - 1, MeshFixture.QuotaCapacity * 2);
        Assert.Equal(StatusCode.ResourceExhausted, last!.StatusCode);
        Assert.NotNull(last.GetRpcStatus()?.GetDetail<RetryInfo>());
    }
}
