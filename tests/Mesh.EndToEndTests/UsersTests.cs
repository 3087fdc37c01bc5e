using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.Internal.V1;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;

namespace Mesh.EndToEndTests;

/// <summary>mesh.v1.Users through the gateway: credit and the top spenders, built from the saga's events.</summary>
[Collection(MeshCollection.Name)]
public sealed class UsersTests(MeshFixture mesh)
{
    private static readonly TimeSpan ViewWait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task GetCredit_AfterAnOrder_ShowsLimitReservedAvailableAndSpent()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        var users = new Users.UsersClient(mesh.Gateway);
        var fresh = await users.GetCreditAsync(new GetCreditRequest(), user.Call());

        await user.PlaceOrderAsync("credit-1", TestUser.Line(TestCatalog.Cent, quantity: 3_000));
        var credit = await PollAsync(() => users.GetCreditAsync(new GetCreditRequest(), user.Call()).ResponseAsync, c => c.SpentCents > 0);

        Assert.Equal(new Credit
        {
            UserId = user.UserId, LimitCents = MeshFixture.CreditLimitCents, ReservedCents = 0,
            AvailableCents = MeshFixture.CreditLimitCents, SpentCents = 0,
        }, fresh);
        Assert.Equal(new Credit
        {
            UserId = user.UserId, LimitCents = MeshFixture.CreditLimitCents, ReservedCents = 3_000,
            AvailableCents = MeshFixture.CreditLimitCents - 3_000, SpentCents = 3_000,
        }, credit);
    }

    [Fact]
    public async Task ListTopSpenders_AfterOrders_HighestFirstPagedAndWithoutEmails()
    {
        var big = await TestUser.CreateAsync(mesh.Gateway);
        var small = await TestUser.CreateAsync(mesh.Gateway);
        await big.PlaceOrderAsync("top-1", TestUser.Line(TestCatalog.Cent, quantity: 7_777));
        await small.PlaceOrderAsync("top-1", TestUser.Line(TestCatalog.Cent, quantity: 11));
        var users = new Users.UsersClient(mesh.Gateway);

        var all = await PollAsync(() => AllSpendersAsync(users, small), list =>
            list.Any(s => s.UserId == big.UserId) && list.Any(s => s.UserId == small.UserId));

        Assert.Equal(all.OrderByDescending(s => s.SpentCents).Select(s => s.SpentCents), all.Select(s => s.SpentCents));
        Assert.Equal(Enumerable.Range(1, all.Count), all.Select(s => s.Rank));
        Assert.Equal(7_777, all.Single(s => s.UserId == big.UserId).SpentCents);
        Assert.True(all.FindIndex(s => s.UserId == big.UserId) < all.FindIndex(s => s.UserId == small.UserId));
        Assert.DoesNotContain(all, s => s.ToString().Contains('@'));
    }

    [Fact]
    public async Task ListTopSpenders_NegativePageSize_InvalidArgumentWithFieldViolation()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        var users = new Users.UsersClient(mesh.Gateway);

        var status = await RpcAssert.FailsWithAsync(StatusCode.InvalidArgument, () =>
            users.ListTopSpendersAsync(new ListTopSpendersRequest { PageSize = -1 }, user.Call()).ResponseAsync);

        var violation = Assert.Single(status.Detail<BadRequest>().FieldViolations);
        Assert.Equal("page_size", violation.Field);
    }

    [Fact]
    public async Task GetCredit_WithoutSession_Unauthenticated()
    {
        var users = new Users.UsersClient(mesh.Gateway);

        await RpcAssert.FailsWithAsync(StatusCode.Unauthenticated, () =>
            users.GetCreditAsync(new GetCreditRequest(), deadline: TestUser.Deadline).ResponseAsync);
    }

    [Fact]
    public async Task Replay_ThroughTheGateway_IsNotForwarded()
    {
        var user = await TestUser.CreateAsync(mesh.Gateway);
        var replay = new Replay.ReplayClient(mesh.Gateway);

        var exception = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = replay.Rebuild(new RebuildRequest(), user.Call());
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

        Assert.Equal(StatusCode.Unimplemented, exception.StatusCode);
    }

    private static async Task<List<TopSpender>> AllSpendersAsync(Users.UsersClient users, TestUser caller)
    {
        var all = new List<TopSpender>();
        var token = "";
        do
        {
            var page = await users.ListTopSpendersAsync(new ListTopSpendersRequest { PageSize = 50, PageToken = token }, caller.Call());
            all.AddRange(page.Spenders);
            token = page.NextPageToken;
        }
        while (token.Length > 0 && all.Count < 10_000);

        return all;
    }

    private static Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done) =>
        Poll.ReadAsync(read, done, ViewWait, TimeSpan.FromMilliseconds(300)); // Well inside the per-user quota (10 calls/s refill).
}
