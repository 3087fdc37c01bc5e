using Mesh.ServiceDefaults.Errors;
using Mesh.Testing;
using Mesh.Users.Accounts;
using Mesh.Users.Credit;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.IntegrationTests;

public sealed class AccountServiceTests(RedisServerFixture redis) : RedisTestBase(redis)
{
    private const string Password = "a long enough password";

    private AccountService Accounts => new(
        new UserAccountStore(Redis), new PasswordHasher<UserAccount>(),
        Options.Create(new CreditOptions { DefaultCreditLimitCents = 5000 }), NullLogger<AccountService>.Instance);

    [Fact]
    public async Task Register_SameEmailDifferentCase_AlreadyExistsAndFirstAccountKept()
    {
        var first = await Accounts.RegisterAsync(RegistrationRequest.Validate("Ann@Example.test", Password, "Ann"));

        var duplicate = await Assert.ThrowsAsync<ResourceException>(() =>
            Accounts.RegisterAsync(RegistrationRequest.Validate("ann@example.test", "another password", "Impostor")));

        Assert.Equal(Grpc.Core.StatusCode.AlreadyExists, duplicate.Code);
        Assert.Equal(first.UserId, (await Accounts.VerifyAsync("ANN@example.test", Password)).UserId);
    }

    [Fact]
    public async Task Verify_WrongPasswordOrUnknownEmail_SameFailure()
    {
        await Accounts.RegisterAsync(RegistrationRequest.Validate("bob@example.test", Password, "Bob"));

        var wrong = await Assert.ThrowsAsync<UnauthenticatedException>(() => Accounts.VerifyAsync("bob@example.test", "not the password"));
        var unknown = await Assert.ThrowsAsync<UnauthenticatedException>(() => Accounts.VerifyAsync("nobody@example.test", Password));

        Assert.Equal(wrong.Message, unknown.Message);
        Assert.Equal(wrong.Reason, unknown.Reason);
    }

    [Fact]
    public async Task Register_Always_StoresNoPasswordInClear()
    {
        await Accounts.RegisterAsync(RegistrationRequest.Validate("carol@example.test", Password, "Carol"));

        var stored = await EverythingStoredAsync();

        Assert.Contains(stored, text => text.Contains("carol@example.test", StringComparison.Ordinal));
        Assert.All(stored, text => Assert.DoesNotContain(Password, text, StringComparison.Ordinal));
    }
}
