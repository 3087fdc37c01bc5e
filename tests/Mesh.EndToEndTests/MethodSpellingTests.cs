using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;

namespace Mesh.EndToEndTests;

/// <summary>
/// The gateway charges a call by the method it reaches: every other spelling of a method's path
/// (which ASP.NET Core and YARP would route to the same method) is refused before any quota,
/// session or backend sees it.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class MethodSpellingTests(MeshFixture mesh)
{
    public static TheoryData<string, string> Spellings => new()
    {
        { "mesh.v1.orders", "listorders" },
        { "MESH.V1.ORDERS", "LISTORDERS" },
        { "mesh.v1.Orders", "listOrders" },
        { "mesh.v1.Orders", "ListOrders/" },
    };

    [Theory]
    [MemberData(nameof(Spellings))]
    public async Task ListOrders_OtherSpellingOnceTheBucketIsEmpty_UnimplementedNamingTheMethodNeverOk(string service, string method)
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        await DrainAsync(user);

        for (var call = 0; call < 3; call++)
        {
            var status = await RpcAssert.FailsWithAsync(StatusCode.Unimplemented, () => CallAsync(user, service, method));

            Assert.Equal("/mesh.v1.Orders/ListOrders", status.Detail<ErrorInfo>().Metadata["canonical_method"]);
        }
    }

    [Fact]
    public async Task ListOrders_OtherSpellingsFirst_TheCanonicalBucketStaysFull()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        foreach (var (service, method) in new[] { ("mesh.v1.orders", "listorders"), ("mesh.v1.Orders", "ListOrders/") })
        {
            await RpcAssert.FailsWithAsync(StatusCode.Unimplemented, () => CallAsync(user, service, method));
        }

        var call = user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call());
        await call.ResponseAsync;

        var remaining = (await call.ResponseHeadersAsync).GetValue("x-ratelimit-remaining");
        Assert.Equal((MeshFixture.QuotaCapacity - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), remaining);
    }

    [Fact]
    public async Task Call_InternalService_UnimplementedAtTheGateway()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);

        var status = await RpcAssert.FailsWithAsync(StatusCode.Unimplemented, () =>
            CallAsync(user, "mesh.internal.v1.Credentials", "VerifyPassword"));

        Assert.Equal("UNKNOWN_METHOD", status.Detail<ErrorInfo>().Reason);
    }

    private static async Task DrainAsync(TestUser user)
    {
        for (var call = 0; call < MeshFixture.QuotaCapacity * 3; call++)
        {
            try
            {
                await user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call());
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.ResourceExhausted)
            {
                return;
            }
        }

        Assert.Fail("The ListOrders bucket never ran dry.");
    }

    /// <summary>ListOrders sent to <c>/<paramref name="service"/>/<paramref name="method"/></c>, as a hand-built client would.</summary>
    private Task<ListOrdersResponse> CallAsync(TestUser user, string service, string method)
    {
        var spelled = new Method<ListOrdersRequest, ListOrdersResponse>(
            MethodType.Unary,
            service,
            method,
            Marshallers.Create(r => r.ToByteArray(), ListOrdersRequest.Parser.ParseFrom),
            Marshallers.Create(r => r.ToByteArray(), ListOrdersResponse.Parser.ParseFrom));
        return mesh.Gateway.CreateCallInvoker().AsyncUnaryCall(spelled, null, user.Call(), new ListOrdersRequest()).ResponseAsync;
    }
}
