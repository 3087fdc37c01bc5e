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
        new UserAccountStore(Redis),
        new PasswordWork(new PasswordHasher<UserAccount>(), Options.Create(new PasswordHashingOptions())),
        Options.Create(new CreditOptions { DefaultCreditLimitCents = 5000 }), NullLogger<AccountService>.Instance);

    [Fact]
    public async Task Register_TakenEmailInOtherCase_AnswersLikeANewAccountAndChangesNothing()
    {
        var first = await Accounts.RegisterAsync(RegistrationRequest.Validate("Ann@Example.test", Password, "Ann"), default);
        var storedBefore = await EverythingStoredAsync();

        var twin = await Accounts.RegisterAsync(RegistrationRequest.Validate("ann@example.test", "another password", "Impostor"), default);

        Assert.StartsWith("usr_", twin.UserId, StringComparison.Ordinal);
        Assert.NotEqual(first.UserId, twin.UserId);
        Assert.Equal("Impostor", twin.DisplayName);
        Assert.Equal(storedBefore.Order(), (await EverythingStoredAsync()).Order());
        Assert.Equal(first.UserId, (await Accounts.VerifyAsync("ANN@example.test", Password, default)).UserId);
        await Assert.ThrowsAsync<UnauthenticatedException>(() => Accounts.VerifyAsync("ann@example.test", "another password", default));
    }

    [Fact]
    public async Task Verify_WrongPasswordOrUnknownEmail_SameFailure()
    {
        await Accounts.RegisterAsync(RegistrationRequest.Validate("bob@example.test", Password, "Bob"), default);

        var wrong = await Assert.ThrowsAsync<UnauthenticatedException>(() => Accounts.VerifyAsync("bob@example.test", "not the password", default));
        var unknown = await Assert.ThrowsAsync<UnauthenticatedException>(() => Accounts.VerifyAsync("nobody@example.test", Password, default));

        Assert.Equal(wrong.Message, unknown.Message);
        Assert.Equal(wrong.Reason, unknown.Reason);
    }

    [Fact]
    public async Task Register_Always_StoresNoPasswordInClear()
    {
        await Accounts.RegisterAsync(RegistrationRequest.Validate("carol@example.test", Password, "Carol"), default);

        var stored = await EverythingStoredAsync();

        Assert.Contains(stored, text => text.Contains("carol@example.test", StringComparison.Ordinal));
        Assert.All(stored, text => Assert.DoesNotContain(Password, text, StringComparison.Ordinal));
    }
}
