using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.EndToEndTests.Infrastructure;
using Mesh.Testing;

namespace Mesh.EndToEndTests;

/// <summary>
/// Password guessing is slowed per email and client address, and only failures count, so a
/// stranger cannot lock an owner out. Addresses are made up through the gateway that trusts
/// loopback as its proxy.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class CredentialAbuseTests(MeshFixture mesh)
{
    private Auth.AuthClient Trusting => new(mesh.SecondGateway);

    [Fact]
    public async Task Login_StrangerGuessesUntilRefused_OwnerFromAnotherAddressStillLogsIn()
    {
        var owner = await TestUser.CreateAsync(mesh.Gateway);
        var attacker = ClientAddress.Random("203.0.113");

        var refusal = await GuessUntilRefusedAsync(owner.Email, attacker);

        Assert.NotNull(refusal.Detail<RetryInfo>());
        Assert.Contains("per-email", refusal.Detail<QuotaFailure>().Violations.Single().Subject, StringComparison.Ordinal);
        var session = await Trusting.LoginAsync(
            new LoginRequest { Email = owner.Email, Password = TestUser.Password },
            new Metadata().As(ClientAddress.Random("198.51.100")), TestUser.Deadline);
        Assert.Equal(owner.UserId, session.UserId);
        await RpcAssert.FailsWithAsync(StatusCode.ResourceExhausted, () =>
            Trusting.LoginAsync(new LoginRequest { Email = owner.Email, Password = TestUser.Password }, new Metadata().As(attacker), TestUser.Deadline).ResponseAsync);
    }

    [Fact]
    public async Task Login_SucceedsMoreOftenThanTheBucketHolds_NeverRefused()
    {
        var owner = await TestUser.CreateAsync(mesh.Gateway);
        var address = ClientAddress.Random("198.51.100");

        for (var login = 0; login < MeshFixture.PerEmailCapacity * 2; login++)
        {
            var session = await Trusting.LoginAsync(
                new LoginRequest { Email = owner.Email, Password = TestUser.Password }, new Metadata().As(address), TestUser.Deadline);
            Assert.Equal(owner.UserId, session.UserId);
        }
    }

    [Fact]
    public async Task Login_ForwardedForFromAnUntrustedPeer_IgnoredSoEveryAttemptSharesOneBucket()
    {
        var owner = await TestUser.CreateAsync(mesh.Gateway);
        var auth = new Auth.AuthClient(mesh.Gateway);
        var statuses = new List<StatusCode>();
        for (var attempt = 0; attempt <= MeshFixture.PerEmailCapacity; attempt++)
        {
            var headers = new Metadata().As(ClientAddress.Random("203.0.113"));
            var failure = await Assert.ThrowsAsync<RpcException>(() =>
                auth.LoginAsync(new LoginRequest { Email = owner.Email, Password = "guessed password" }, headers, TestUser.Deadline).ResponseAsync);
            statuses.Add(failure.StatusCode);
        }

        Assert.Equal(StatusCode.ResourceExhausted, statuses[^1]);
    }

    [Fact]
    public async Task Register_TakenEmail_AnswersLikeANewAccountAndTheOwnerKeepsTheirs()
    {
        var owner = await TestUser.CreateAsync(mesh.Gateway);
        var auth = new Auth.AuthClient(mesh.Gateway);
        var fresh = $"fresh-{Guid.NewGuid():N}@example.test";

        var twin = await auth.RegisterAsync(
            new RegisterRequest { Email = owner.Email.ToUpperInvariant(), Password = "another password", DisplayName = "Twin" }, deadline: TestUser.Deadline);
        var created = await auth.RegisterAsync(
            new RegisterRequest { Email = fresh, Password = "another password", DisplayName = "Twin" }, deadline: TestUser.Deadline);

        Assert.NotEqual(owner.UserId, twin.UserId);
        Assert.Equal(created.UserId.Length, twin.UserId.Length);
        Assert.Equal(created.DisplayName, twin.DisplayName);
        Assert.Equal(owner.UserId, (await auth.LoginAsync(new LoginRequest { Email = owner.Email, Password = TestUser.Password }, deadline: TestUser.Deadline)).UserId);
        await RpcAssert.FailsWithAsync(StatusCode.Unauthenticated, () =>
            auth.LoginAsync(new LoginRequest { Email = owner.Email, Password = "another password" }, deadline: TestUser.Deadline).ResponseAsync);
    }

    private async Task<Google.Rpc.Status> GuessUntilRefusedAsync(string email, string address)
    {
        for (var attempt = 0; attempt <= MeshFixture.PerEmailCapacity * 2; attempt++)
        {
            var failure = await Assert.ThrowsAsync<RpcException>(() => Trusting.LoginAsync(
                new LoginRequest { Email = email, Password = $"guess {attempt}" }, new Metadata().As(address), TestUser.Deadline).ResponseAsync);
            if (failure.StatusCode == StatusCode.ResourceExhausted)
            {
                Assert.Equal(MeshFixture.PerEmailCapacity, attempt);
                return failure.GetRpcStatus()!;
            }

            Assert.Equal(StatusCode.Unauthenticated, failure.StatusCode);
        }

        throw new Xunit.Sdk.XunitException("The guesses were never refused.");
    }
}
