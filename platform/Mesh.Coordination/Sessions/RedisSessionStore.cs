using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Coordination.Sessions;

public sealed class RedisSessionStore(IConnectionMultiplexer redis, IOptionsMonitor<SessionOptions> options) : ISessionStore
{
    public async Task<SessionGrant> CreateAsync(string userId, string clientInfo, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var token = SessionTokens.NewToken();
        var current = options.CurrentValue;
        var expiresAtMs = (long)await redis.GetDatabase().ScriptEvaluateAsync(
            SessionScripts.Create,
            [SessionTokens.KeyOf(token)],
            [userId, clientInfo, (long)current.IdleTimeout.TotalMilliseconds, (long)current.MaxLifetime.TotalMilliseconds]);
        return new SessionGrant(token, DateTimeOffset.FromUnixTimeMilliseconds(expiresAtMs), userId);
    }

    public async Task<string?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var current = options.CurrentValue;
        var result = await redis.GetDatabase().ScriptEvaluateAsync(
            SessionScripts.Touch,
            [SessionTokens.KeyOf(token)],
            [(long)current.IdleTimeout.TotalMilliseconds, (long)current.MaxLifetime.TotalMilliseconds]);
        return result.IsNull ? null : (string?)result;
    }

    public async Task<bool> RevokeAsync(string token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await redis.GetDatabase().KeyDeleteAsync(SessionTokens.KeyOf(token));
    }
}
