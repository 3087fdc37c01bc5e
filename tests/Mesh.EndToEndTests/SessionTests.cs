using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;
using StackExchange.Redis;

namespace Mesh.EndToEndTests;

[Collection(MeshCollection.Name)]
public sealed class SessionTests(MeshFixture mesh)
{
    private Auth.AuthClient Auth => new(mesh.Gateway);

    [Fact]
    public async Task ListSessions_TwoLogins_ListsBothAndFlagsCurrent()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        var second = await LoginAsync(user.Email, TestUser.Password);

        var listed = await user.Auth.ListSessionsAsync(new ListSessionsRequest(), user.Call());

        Assert.Equal(2, listed.Sessions.Count);
        Assert.Single(listed.Sessions, s => s.Current);
        Assert.All(listed.Sessions, s => Assert.DoesNotContain(s.SessionId, new[] { user.Token, second.Token }));
        Assert.All(listed.Sessions, s => Assert.True(s.ExpiresAt.ToDateTimeOffset() > DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task RevokeSession_OtherSessionOfCaller_ItsTokenStopsWorking()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        var second = await LoginAsync(user.Email, TestUser.Password);
        var other = (await user.Auth.ListSessionsAsync(new ListSessionsRequest(), user.Call())).Sessions.Single(s => !s.Current);

        await user.Auth.RevokeSessionAsync(new RevokeSessionRequest { SessionId = other.SessionId }, user.Call());

        await RpcAssert.FailsWithAsync(StatusCode.Unauthenticated, () =>
            user.Orders.ListOrdersAsync(new ListOrdersRequest(), Bearer(second.Token)).ResponseAsync);
        await user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call());
    }

    [Fact]
    public async Task RevokeSession_AnotherUsersSession_NotFoundAndSessionSurvives()
    {
        var victim = await TestUser.CreateAsync(mesh.Gateway);
        var attacker = await TestUser.CreateAsync(mesh.Gateway);
        var victimSession = (await victim.Auth.ListSessionsAsync(new ListSessionsRequest(), victim.Call())).Sessions.Single();

        await RpcAssert.FailsWithAsync(StatusCode.NotFound, () =>
            attacker.Auth.RevokeSessionAsync(new RevokeSessionRequest { SessionId = victimSession.SessionId }, attacker.Call()).ResponseAsync);

        await victim.Orders.ListOrdersAsync(new ListOrdersRequest(), victim.Call());
    }

    [Fact]
    public async Task Logout_OnOneGateway_RejectedByTheOtherWithinOneSecond()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        var onSecond = new Orders.OrdersClient(mesh.SecondGateway);
        await onSecond.ListOrdersAsync(new ListOrdersRequest(), user.Call());

        await user.Auth.LogoutAsync(new LogoutRequest(), user.Call());
        RpcException? rejection = null;
        await Poll.UntilAsync(
            async () =>
            {
                try
                {
                    await onSecond.ListOrdersAsync(new ListOrdersRequest(), user.Call());
                    return false;
                }
                catch (RpcException exception)
                {
                    rejection = exception;
                    return true;
                }
            },
            TimeSpan.FromSeconds(1),
            "the other gateway still accepted the logged-out session",
            TimeSpan.Zero);

        Assert.Equal(StatusCode.Unauthenticated, rejection?.StatusCode);
    }

    [Fact]
    public async Task ChangePassword_Valid_RevokesOtherSessionsAndSwapsPasswords()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        var other = await LoginAsync(user.Email, TestUser.Password);
        const string newPassword = "a brand new passphrase";

        await user.Auth.ChangePasswordAsync(
            new ChangePasswordRequest { CurrentPassword = TestUser.Password, NewPassword = newPassword }, user.Call());

        await RpcAssert.FailsWithAsync(StatusCode.Unauthenticated, () =>
            user.Orders.ListOrdersAsync(new ListOrdersRequest(), Bearer(other.Token)).ResponseAsync);
        await user.Orders.ListOrdersAsync(new ListOrdersRequest(), user.Call());
        await RpcAssert.FailsWithAsync(StatusCode.Unauthenticated, () => LoginAsync(user.Email, TestUser.Password));
        Assert.Equal(user.UserId, (await LoginAsync(user.Email, newPassword)).UserId);
    }

    [Fact]
    public async Task ChangePassword_WrongCurrentOrWeakNew_RefusedAndNothingRevoked()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        var other = await LoginAsync(user.Email, TestUser.Password);

        await RpcAssert.FailsWithAsync(StatusCode.PermissionDenied, () =>
            user.Auth.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = "wrong password", NewPassword = "long enough now" }, user.Call()).ResponseAsync);
        var weak = await RpcAssert.FailsWithAsync(StatusCode.InvalidArgument, () =>
            user.Auth.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = TestUser.Password, NewPassword = "short" }, user.Call()).ResponseAsync);

        Assert.Equal("new_password", Assert.Single(weak.Detail<BadRequest>().FieldViolations).Field);
        await user.Orders.ListOrdersAsync(new ListOrdersRequest(), Bearer(other.Token));
    }

    [Fact]
    public async Task Login_RepeatedForOneEmail_ResourceExhaustedWithRetryInfo()
    {
        var email = $"target-{Guid.NewGuid():N}@example.test";
        var statuses = new List<StatusCode>();
        RpcException? last = null;
        for (var attempt = 0; attempt <= MeshFixture.PerEmailCapacity; attempt++)
        {
            last = await Assert.ThrowsAsync<RpcException>(() => LoginAsync(email, "guessed password"));
            statuses.Add(last.StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(StatusCode.Unauthenticated, MeshFixture.PerEmailCapacity), statuses.Take(MeshFixture.PerEmailCapacity));
        Assert.Equal(StatusCode.ResourceExhausted, statuses[^1]);
        Assert.NotNull(last!.GetRpcStatus()?.GetDetail<RetryInfo>());
    }

    [Fact]
    public async Task Redis_AfterLoginsAndOrders_HoldsNoTokenAndNoPasswordAnywhere()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        var second = await LoginAsync(user.Email, TestUser.Password);
        await user.PlaceOrderAsync("scan", TestUser.Line());
        var secrets = new[] { TestUser.Password, user.Token, second.Token };

        await using var redis = await ConnectionMultiplexer.ConnectAsync(mesh.RedisConnection);
        var db = redis.GetDatabase();
        var scanned = 0;
        await foreach (var key in redis.GetServer(redis.GetEndPoints()[0]).KeysAsync(pattern: "*"))
        {
            var values = await ValuesAsync(db, key);
            foreach (var text in values.Append(key.ToString()))
            {
                Assert.All(secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
            }

            scanned++;
        }

        Assert.True(scanned > 5, $"Only {scanned} keys were scanned.");
    }

    private static async Task<IEnumerable<string>> ValuesAsync(IDatabase db, RedisKey key) =>
        await db.KeyTypeAsync(key) switch
        {
            RedisType.String => [(string?)await db.StringGetAsync(key) ?? ""],
            RedisType.Hash => (await db.HashGetAllAsync(key)).SelectMany(e => new[] { e.Name.ToString(), e.Value.ToString() }),
            RedisType.Set => (await db.SetMembersAsync(key)).Select(v => v.ToString()),
            RedisType.SortedSet => (await db.SortedSetRangeByRankAsync(key)).Select(v => v.ToString()),
            RedisType.List => (await db.ListRangeAsync(key)).Select(v => v.ToString()),
            RedisType.None => [], // Expired between the scan and this read (quota buckets live until full again, often milliseconds).
            var other => throw new Xunit.Sdk.XunitException($"Key {key} has unexpected type {other}"),
        };

    private Task<Session> LoginAsync(string email, string password) =>
        Auth.LoginAsync(new LoginRequest { Email = email, Password = password }, deadline: TestUser.Deadline).ResponseAsync;

    private static CallOptions Bearer(string token) =>
        new(new Metadata { { "authorization", $"Bearer {token}" } }, TestUser.Deadline);
}
