using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;

namespace Mesh.EndToEndTests;

[Collection(MeshCollection.Name)]
public sealed class AuthTests(MeshFixture mesh)
{
    private Auth.AuthClient Auth => new(mesh.Gateway);

    [Fact]
    public async Task ListOrders_WithoutToken_Unauthenticated()
    {
        var orders = new Orders.OrdersClient(mesh.Gateway);

        var status = await RpcAssert.FailsWithAsync(StatusCode.Unauthenticated, () =>
            orders.ListOrdersAsync(new ListOrdersRequest(), deadline: TestUser.Deadline).ResponseAsync);

        Assert.Equal("MISSING_TOKEN", status.Detail<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task Subscribe_WithUnknownToken_Unauthenticated()
    {
        var notifications = new Notifications.NotificationsClient(mesh.Gateway);
        var headers = new Metadata { { "authorization", "Bearer not-a-session" } };

        await RpcAssert.FailsWithAsync(StatusCode.Unauthenticated, async () =>
        {
            using var call = notifications.Subscribe(new SubscribeRequest(), headers, TestUser.Deadline);
            await call.ResponseStream.MoveNext();
        });
    }

    [Fact]
    public async Task Logout_ThenCall_Unauthenticated()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        await user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call());

        await user.Auth.LogoutAsync(new LogoutRequest(), user.Call());

        var status = await RpcAssert.FailsWithAsync(StatusCode.Unauthenticated, () =>
            user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call()).ResponseAsync);
        Assert.Equal("INVALID_SESSION", status.Detail<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task ListOrders_SpoofedUserIdHeader_SeesOnlyOwnOrders()
    {
        var victim = await TestUser.CreateAsync(mesh.Gateway);
        await victim.PlaceOrderAsync("secret", TestUser.Line());
        var attacker = await TestUser.CreateAsync(mesh.Gateway);
        var headers = attacker.Headers;
        headers.Add("x-mesh-user-id", victim.UserId);

        var listed = await attacker.Orders.ListOrdersAsync(new ListOrdersRequest(), headers, TestUser.Deadline);

        Assert.Empty(listed.Orders);
    }

    [Fact]
    public async Task Register_InvalidFields_InvalidArgumentNamesEach()
    {
        var status = await RpcAssert.FailsWithAsync(StatusCode.InvalidArgument, () =>
            Auth.RegisterAsync(new RegisterRequest { Email = "not an email", Password = "short", DisplayName = " " }, deadline: TestUser.Deadline).ResponseAsync);

        Assert.Equal(
            ["display_name", "email", "password"],
            status.Detail<BadRequest>().FieldViolations.Select(v => v.Field).Order());
    }

    [Fact]
    public async Task Login_WrongPasswordOrUnknownEmail_SameUnauthenticatedAnswer()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);

        var wrongPassword = await RpcAssert.FailsWithAsync(StatusCode.Unauthenticated, () =>
            Auth.LoginAsync(new LoginRequest { Email = user.Email, Password = "wrong password" }, deadline: TestUser.Deadline).ResponseAsync);
        var unknownEmail = await RpcAssert.FailsWithAsync(StatusCode.Unauthenticated, () =>
            Auth.LoginAsync(new LoginRequest { Email = $"nobody-{Guid.NewGuid():N}@example.test", Password = TestUser.Password }, deadline: TestUser.Deadline).ResponseAsync);

        Assert.Equal(wrongPassword.Message, unknownEmail.Message);
        Assert.Equal(wrongPassword.Detail<ErrorInfo>(), unknownEmail.Detail<ErrorInfo>());
    }
}
