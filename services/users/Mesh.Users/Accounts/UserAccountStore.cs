using StackExchange.Redis;

namespace Mesh.Users.Accounts;

/// <summary>Accounts in Redis under the user service's prefix <c>users:</c>, one hash per email.</summary>
public sealed class UserAccountStore(IConnectionMultiplexer redis)
{
    // Creation is one atomic script: an account exists whole or not at all.
    private const string CreateScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then
          return 0
        end
        redis.call('HSET', KEYS[1], 'user_id', ARGV[1], 'email', ARGV[2], 'display_name', ARGV[3], 'password_hash', ARGV[4])
        return 1
        """;

    public async Task<bool> TryCreateAsync(UserAccount account)
    {
        var created = await redis.GetDatabase().ScriptEvaluateAsync(
            CreateScript,
            [KeyOf(account.Email)],
            [account.UserId, account.Email, account.DisplayName, account.PasswordHash]);
        return (int)created == 1;
    }

    public async Task<UserAccount?> FindByEmailAsync(string normalizedEmail)
    {
        var fields = await redis.GetDatabase().HashGetAsync(
            KeyOf(normalizedEmail), ["user_id", "email", "display_name", "password_hash"]);
        return fields[0].IsNull
            ? null
            : new UserAccount(fields[0]!, fields[1]!, fields[2]!, fields[3]!);
    }

    private static string KeyOf(string normalizedEmail) => $"users:email:{normalizedEmail}";
}
