using System.Security.Cryptography.X509Certificates;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts.Internal.V1;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Identity;
using Mesh.Testing;

namespace Mesh.EndToEndTests;

/// <summary>
/// Each hop is authenticated by workload identity, as an attacker inside the network would find it:
/// the services refuse callers without a mesh certificate, refuse the wrong workload with a status
/// that says why, and believe a user id only from the gateway.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class IdentityTests(MeshFixture mesh)
{
    public static TheoryData<string> Services => new(Workloads.Users, Workloads.Orders, Workloads.Notifications);

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Call_WithoutClientCertificate_Refused(string service)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true; // Trust anything: only the client side is missing.
        using var channel = GrpcChannel.ForAddress(AddressOf(service), new GrpcChannelOptions { HttpHandler = handler });

        var failure = await Assert.ThrowsAsync<RpcException>(() => HealthAsync(channel));

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Call_WithCertificateOfAnotherCa_Refused(string service)
    {
        using var stranger = new TestPki();
        using var channel = GrpcChannel.ForAddress(AddressOf(service), new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                SslOptions =
                {
                    LocalCertificateSelectionCallback = (_, _, _, _, _) => stranger.SourceFor(Workloads.Gateway).Certificate,
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                },
            },
        });

        await Assert.ThrowsAsync<RpcException>(() => HealthAsync(channel));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Call_PlainHttpToTheServicePort_Refused(string service)
    {
        using var channel = GrpcChannel.ForAddress(AddressOf(service).Replace("https://", "http://", StringComparison.Ordinal));

        await Assert.ThrowsAsync<RpcException>(() => HealthAsync(channel));
    }

    [Theory]
    [InlineData(Workloads.Operator)]
    [InlineData(Workloads.Notifications)]
    [InlineData(Workloads.Sidecar)]
    [InlineData(Workloads.Users)]
    public async Task ListOrders_UserIdFromAnotherWorkloadThanTheGateway_PermissionDeniedNamingTheCaller(string workload)
    {
        var victim = await TestUser.CreateAsync(mesh.Gateway);
        await victim.PlaceOrderAsync("private", TestUser.Line());
        using var channel = mesh.Pki.Channel(mesh.OrdersAddress, workload);

        var status = await RpcAssert.FailsWithAsync(StatusCode.PermissionDenied, () =>
            new Orders.OrdersClient(channel).ListOrdersAsync(new ListOrdersRequest(), AsUser(victim.UserId)).ResponseAsync);

        var info = status.Detail<ErrorInfo>();
        Assert.Equal("CALLER_NOT_ALLOWED", info.Reason);
        Assert.Equal($"spiffe://{TestPki.TrustDomain}/{workload}", info.Metadata["caller"]);
    }

    [Fact]
    public async Task ListOrders_AsTheGateway_TheUsersOrders()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        var order = await user.PlaceOrderAsync("mine", TestUser.Line());
        using var channel = mesh.Pki.Channel(mesh.OrdersAddress, Workloads.Gateway, expectedServer: Workloads.Orders);

        var listed = await new Orders.OrdersClient(channel).ListOrdersAsync(new ListOrdersRequest(), AsUser(user.UserId));

        Assert.Equal(order.OrderId, Assert.Single(listed.Orders).OrderId);
    }

    [Theory]
    [InlineData(Workloads.Operator)]
    [InlineData(Workloads.Orders)]
    [InlineData(Workloads.Notifications)]
    [InlineData(Workloads.Sidecar)]
    [InlineData(Workloads.Users)]
    public async Task VerifyPassword_AnyWorkloadButTheGateway_PermissionDenied(string workload)
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        using var channel = mesh.Pki.Channel(mesh.UsersAddress, workload);

        await RpcAssert.FailsWithAsync(StatusCode.PermissionDenied, () => new Credentials.CredentialsClient(channel).VerifyPasswordAsync(
            new VerifyPasswordRequest { Email = user.Email, Password = TestUser.Password }, deadline: TestUser.Deadline).ResponseAsync);
    }

    [Fact]
    public async Task VerifyPassword_AsTheGateway_Answers()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        using var channel = mesh.Pki.Channel(mesh.UsersAddress, Workloads.Gateway);

        var verified = await new Credentials.CredentialsClient(channel).VerifyPasswordAsync(
            new VerifyPasswordRequest { Email = user.Email, Password = TestUser.Password }, deadline: TestUser.Deadline);

        Assert.Equal(user.UserId, verified.UserId);
    }

    [Theory]
    [InlineData(Workloads.Users, Workloads.Gateway)]
    [InlineData(Workloads.Users, Workloads.Orders)]
    [InlineData(Workloads.Users, Workloads.Sidecar)]
    [InlineData(Workloads.Orders, Workloads.Gateway)]
    [InlineData(Workloads.Orders, Workloads.Users)]
    [InlineData(Workloads.Notifications, Workloads.Gateway)]
    [InlineData(Workloads.Notifications, Workloads.Orders)]
    public async Task Rebuild_AnyWorkloadButTheOperator_PermissionDeniedAndNothingStarted(string service, string workload)
    {
        using var channel = mesh.Pki.Channel(AddressOf(service), workload);

        await RpcAssert.FailsWithAsync(StatusCode.PermissionDenied, async () =>
        {
            using var call = new Replay.ReplayClient(channel).Rebuild(new RebuildRequest(), deadline: TestUser.Deadline);
            await call.ResponseStream.MoveNext();
        });
    }

    [Theory]
    [InlineData(Workloads.Operator)]
    [InlineData(Workloads.Orders)]
    [InlineData(Workloads.Users)]
    [InlineData(Workloads.Sidecar)]
    public async Task Notifications_UserIdFromAnotherWorkloadThanTheGateway_PermissionDeniedForListAndStream(string workload)
    {
        var victim = await TestUser.CreateAsync(mesh.Gateway);
        using var channel = mesh.Pki.Channel(mesh.NotificationsAddress, workload);
        var client = new Notifications.NotificationsClient(channel);

        var listed = await RpcAssert.FailsWithAsync(StatusCode.PermissionDenied, () =>
            client.ListNotificationsAsync(new ListNotificationsRequest(), AsUser(victim.UserId)).ResponseAsync);
        var streamed = await RpcAssert.FailsWithAsync(StatusCode.PermissionDenied, async () =>
        {
            using var call = client.Subscribe(new SubscribeRequest(), AsUser(victim.UserId));
            await call.ResponseStream.MoveNext();
        });

        Assert.Equal("CALLER_NOT_ALLOWED", listed.Detail<ErrorInfo>().Reason);
        Assert.Equal($"spiffe://{TestPki.TrustDomain}/{workload}", streamed.Detail<ErrorInfo>().Metadata["caller"]);
    }

    [Fact]
    public async Task HealthPort_PlaintextWithoutCertificate_AnswersHealthAndRefusesEverythingElse()
    {
        var victim = await TestUser.CreateAsync(mesh.Gateway);
        using var channel = GrpcChannel.ForAddress(mesh.OrdersHealthAddress);

        var health = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), deadline: TestUser.Deadline);
        var refused = await RpcAssert.FailsWithAsync(StatusCode.Unauthenticated, () =>
            new Orders.OrdersClient(channel).ListOrdersAsync(new ListOrdersRequest(), AsUser(victim.UserId)).ResponseAsync);

        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal("HEALTH_PORT", refused.Detail<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task Server_CertificateFileRenewed_NewConnectionsGetTheNewCertificateWithoutRestart()
    {
        var before = await ServerCertificateAsync(mesh.NotificationsAddress);

        mesh.Pki.Issue(Workloads.Notifications);

        var after = await Eventually.ReadAsync(
            () => ServerCertificateAsync(mesh.NotificationsAddress), serial => serial != before, TimeSpan.FromSeconds(20));
        Assert.NotEqual(before, after);
        var user = await TestUser.CreateAsync(mesh.Gateway);
        await using var stream = await NotificationStream.OpenAsync(user);
        await user.PlaceOrderAsync("after-renewal", TestUser.Line());
        Assert.Equal("order.confirmed", (await stream.NextAsync(TimeSpan.FromSeconds(30))).Kind);
    }

    private string AddressOf(string service) => service switch
    {
        Workloads.Users => mesh.UsersAddress,
        Workloads.Orders => mesh.OrdersAddress,
        _ => mesh.NotificationsAddress,
    };

    private static Task HealthAsync(GrpcChannel channel) =>
        new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync;

    private static CallOptions AsUser(string userId) => new(new Metadata { { "x-mesh-user-id", userId } }, TestUser.Deadline);

    /// <summary>The serial number of the certificate a fresh connection to <paramref name="address"/> is served.</summary>
    private async Task<string> ServerCertificateAsync(string address)
    {
        string? serial = null;
        var operatorIdentity = mesh.Pki.SourceFor(Workloads.Operator);
        var handler = new SocketsHttpHandler
        {
            SslOptions = MeshTls.ClientOptions(operatorIdentity, null),
        };
        var check = handler.SslOptions.RemoteCertificateValidationCallback!;
        handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            serial = (certificate as X509Certificate2)?.SerialNumber;
            return check(sender, certificate, chain, errors);
        };
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
        await HealthAsync(channel);
        return serial!;
    }
}
