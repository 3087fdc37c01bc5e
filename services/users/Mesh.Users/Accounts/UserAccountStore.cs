using StackExchange.Redis;

namespace Mesh.Users.Accounts;

/// <summary>
/// Accounts in Redis under the user service's prefix <c>users:</c>: one hash per email, and an index
/// from user id to email written after it (and repaired at each login should a crash have lost it).
/// </summary>
public sealed class UserAccountStore(IConnectionMultiplexer redis)
{
    // Creation is one atomic script: an account exists whole or not at all.
    private const string CreateScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then
          return 0
        end
        redis.call('HSET', KEYS[1], 'user_id', ARGV[1], 'email', ARGV[2], 'display_name', ARGV[3], 'password_hash', ARGV[4],
          'credit_limit_cents', ARGV[5])
        return 1
        """;

    public async Task<bool> TryCreateAsync(UserAccount account)
    {
        var created = await redis.GetDatabase().ScriptEvaluateAsync(
            CreateScript,
            [KeyOf(account.Email)],
            [account.UserId, account.Email, account.DisplayName, account.PasswordHash, account.CreditLimitCents ?? 0]);
        return (int)created == 1;
    }

    // Replaces the hash only if it is still the one the caller verified: two concurrent changes
    // cannot both succeed against the same old password.
    private const string ReplaceHashScript = """
        if redis.call('HGET', KEYS[1], 'password_hash') ~= ARGV[1] then
          return 0
        end
        redis.call('HSET', KEYS[1], 'password_hash', ARGV[2])
        return 1
        """;

    public Task IndexAsync(UserAccount account) =>
        redis.GetDatabase().StringSetAsync(IdKeyOf(account.UserId), account.Email);

    public async Task<UserAccount?> FindByIdAsync(string userId) =>
        await redis.GetDatabase().StringGetAsync(IdKeyOf(userId)) is { IsNull: false } email
            ? await FindByEmailAsync(email!)
            : null;

    public async Task<bool> ReplacePasswordHashAsync(UserAccount account, string newHash) =>
        (int)await redis.GetDatabase().ScriptEvaluateAsync(
            ReplaceHashScript, [KeyOf(account.Email)], [account.PasswordHash, newHash]) == 1;

    public async Task<UserAccount?> FindByEmailAsync(string normalizedEmail)
    {
        var fields = await redis.GetDatabase().HashGetAsync(
            KeyOf(normalizedEmail), ["user_id", "email", "display_name", "password_hash", "credit_limit_cents"]);
        return fields[0].IsNull
            ? null
            : new UserAccount(fields[0]!, fields[1]!, fields[2]!, fields[3]!, CreditLimitOf(fields[4]));
    }

    // 0 or absent: stored before limits existed (or without one); the configured default applies.
    private static long? CreditLimitOf(RedisValue stored) =>
        stored.TryParse(out long cents) && cents > 0 ? cents : null;

    private static string KeyOf(string normalizedEmail) => $"users:email:{normalizedEmail}";

    private static string IdKeyOf(string userId) => $"users:id:{userId}";
}
