using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts.V1;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>A freshly registered and logged-in user with clients that carry its bearer token.</summary>
public sealed class TestUser
{
    public const string Password = "correct horse battery";

    private TestUser(GrpcChannel channel, string email, string userId, string token)
    {
        Email = email;
        UserId = userId;
        Token = token;
        Auth = new Auth.AuthClient(channel);
        Orders = new Orders.OrdersClient(channel);
        Notifications = new Notifications.NotificationsClient(channel);
    }

    public string Email { get; }

    public string UserId { get; }

    public string Token { get; }

    public Auth.AuthClient Auth { get; }

    public Orders.OrdersClient Orders { get; }

    public Notifications.NotificationsClient Notifications { get; }

    public Metadata Headers => new() { { "authorization", $"Bearer {Token}" } };

    public static DateTime Deadline => DateTime.UtcNow.AddSeconds(15);

    public static async Task<TestUser> CreateAsync(GrpcChannel channel)
    {
        var auth = new Auth.AuthClient(channel);
        var email = $"user-{Guid.NewGuid():N}@example.test";
        await auth.RegisterAsync(new RegisterRequest { Email = email, Password = Password, DisplayName = "Test User" }, deadline: Deadline);
        var session = await auth.LoginAsync(new LoginRequest { Email = email, Password = Password }, deadline: Deadline);
        return new TestUser(channel, email, session.UserId, session.Token);
    }

    /// <summary>The same user and session through another gateway instance.</summary>
    public TestUser On(GrpcChannel channel) => new(channel, Email, UserId, Token);

    public CallOptions Call(CancellationToken cancellationToken = default) =>
        new(Headers, Deadline, cancellationToken);

    public Task<Order> PlaceOrderAsync(string idempotencyKey, params OrderLine[] lines) =>
        Orders.PlaceOrderAsync(new PlaceOrderRequest { IdempotencyKey = idempotencyKey, Lines = { lines } }, Call()).ResponseAsync;

    /// <summary>A line of a <see cref="TestCatalog"/> SKU; no price means the catalog's.</summary>
    public static OrderLine Line(string sku = TestCatalog.Item, int quantity = 1, long unitPriceCents = 0) =>
        new() { Sku = sku, Quantity = quantity, UnitPriceCents = unitPriceCents };
}
