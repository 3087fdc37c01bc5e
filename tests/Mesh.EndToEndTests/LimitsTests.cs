using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;

namespace Mesh.EndToEndTests;

/// <summary>What one client can make a server hold: message sizes, password lengths, streams and connections.</summary>
[Collection(MeshCollection.Name)]
public sealed class LimitsTests(MeshFixture mesh)
{
    private const int MaxMessageBytes = 64 * 1024;

    [Fact]
    public async Task Login_MessageLargerThanTheLimit_ResourceExhaustedBeforeParsing()
    {
        var auth = new Auth.AuthClient(mesh.Gateway);

        var status = await RpcAssert.FailsWithAsync(StatusCode.ResourceExhausted, () =>
            auth.LoginAsync(new LoginRequest { Email = "a@example.test", Password = new string('p', MaxMessageBytes) }, deadline: TestUser.Deadline).ResponseAsync);

        Assert.Contains("maximum", status.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task PlaceOrder_MessageLargerThanTheLimit_ResourceExhaustedFromTheServiceBehindTheGateway()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);

        await RpcAssert.FailsWithAsync(StatusCode.ResourceExhausted, () =>
            user.PlaceOrderAsync(new string('k', MaxMessageBytes), TestUser.Line()));

        Assert.Empty((await user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call())).Orders);
    }

    [Fact]
    public async Task Login_PasswordLongerThanAnyPassword_InvalidArgumentWithoutHashing()
    {
        var auth = new Auth.AuthClient(mesh.Gateway);

        var status = await RpcAssert.FailsWithAsync(StatusCode.InvalidArgument, () =>
            auth.LoginAsync(new LoginRequest { Email = "a@example.test", Password = new string('p', 129) }, deadline: TestUser.Deadline).ResponseAsync);

        Assert.Equal("password", Assert.Single(status.Detail<BadRequest>().FieldViolations).Field);
    }

    [Fact]
    public async Task Gateway_Http2Settings_AdvertiseTheConfiguredStreamsPerConnection()
    {
        await using var probe = new Http2Probe();

        var settings = await probe.ConnectAsync(new Uri(mesh.GatewayAddress), TimeSpan.FromSeconds(10));

        Assert.NotNull(settings);
        Assert.Equal(100u, settings[Http2Probe.MaxConcurrentStreams]);
    }

    [Fact]
    public async Task Gateway_MoreConnectionsFromOneAddressThanAllowed_TheExtraOneIsClosed()
    {
        const int allowed = 3;
        await using var extra = await mesh.StartExtraGatewayAsync(
            new Dictionary<string, string>(), new Dictionary<string, string> { ["Connections__MaxPerAddress"] = $"{allowed}" });
        var address = new Uri(extra.Address);
        var open = new List<Http2Probe>();
        try
        {
            // The fixture's own health checks may still hold a connection for a moment; so count up to the refusal.
            IReadOnlyDictionary<ushort, uint>? settings;
            do
            {
                var probe = new Http2Probe();
                open.Add(probe);
                settings = await probe.ConnectAsync(address, TimeSpan.FromSeconds(10));
            }
            while (settings is not null && open.Count <= allowed + 1);

            Assert.Null(settings);
            Assert.InRange(open.Count - 1, 1, allowed);

            await open[0].DisposeAsync();
            var again = await Eventually.ReadAsync(
                async () =>
                {
                    await using var probe = new Http2Probe();
                    return await probe.ConnectAsync(address, TimeSpan.FromSeconds(10));
                },
                accepted => accepted is not null,
                TimeSpan.FromSeconds(10));
            Assert.NotNull(again);
        }
        finally
        {
            foreach (var probe in open)
            {
                await probe.DisposeAsync();
            }
        }
    }
}
