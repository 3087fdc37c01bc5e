using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Gateway.Sessions;

/// <summary>
/// Sessions in Redis with a sliding idle timeout under an absolute lifetime. Each user's index is
/// written before the session it lists, so a crash between the two leaves at worst a stale index
/// entry (dropped when next listed), never a session its owner cannot see or revoke.
/// </summary>
public sealed class RedisSessionStore(IConnectionMultiplexer redis, IOptionsMonitor<SessionOptions> options) : ISessionStore
{
    private IDatabase Db => redis.GetDatabase();

    public async Task<SessionGrant> CreateAsync(string userId, string clientInfo, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var token = SessionTokens.NewToken();
        var sessionId = SessionTokens.IdOf(token);
        var current = options.CurrentValue;
        var index = SessionTokens.IndexOf(userId);
        await Db.SetAddAsync(index, sessionId);
        await Db.KeyExpireAsync(index, current.MaxLifetime);
        var expiresAtMs = (long)await Db.ScriptEvaluateAsync(
            SessionScripts.Create,
            [SessionTokens.KeyOf(sessionId)],
            [userId, clientInfo, (long)current.IdleTimeout.TotalMilliseconds, (long)current.MaxLifetime.TotalMilliseconds]);
        return new SessionGrant(token, DateTimeOffset.FromUnixTimeMilliseconds(expiresAtMs), userId);
    }

    public async Task<AuthenticatedSession?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sessionId = SessionTokens.IdOf(token);
        var current = options.CurrentValue;
        var userId = await Db.ScriptEvaluateAsync(
            SessionScripts.Touch,
            [SessionTokens.KeyOf(sessionId)],
            [(long)current.IdleTimeout.TotalMilliseconds, (long)current.MaxLifetime.TotalMilliseconds]);
        return userId.IsNull ? null : new AuthenticatedSession((string)userId!, sessionId);
    }

    public async Task<IReadOnlyList<SessionInfo>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var index = SessionTokens.IndexOf(userId);
        var ids = (await Db.SetMembersAsync(index)).Select(member => (string)member!).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        // One pipelined batch of reads rather than a round trip per session.
        var described = await Task.WhenAll(ids.Select(id => Db.ScriptEvaluateAsync(SessionScripts.Describe, [SessionTokens.KeyOf(id)])));

        var sessions = new List<SessionInfo>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (described[i].IsNull || (string?)((RedisResult[])described[i]!)[0] != userId)
            {
                await Db.SetRemoveAsync(index, ids[i]);
                continue;
            }

            sessions.Add(ToInfo(ids[i], (RedisResult[])described[i]!));
        }

        return sessions.OrderByDescending(s => s.LastUsedAt).ToList();
    }

    public async Task<bool> RevokeAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var revoked = (int)await Db.ScriptEvaluateAsync(SessionScripts.RevokeOwned, [SessionTokens.KeyOf(sessionId)], [userId]) == 1;
        if (revoked)
        {
            await Db.SetRemoveAsync(SessionTokens.IndexOf(userId), sessionId);
        }

        return revoked;
    }

    public async Task<int> RevokeAllExceptAsync(string userId, string? keepSessionId, CancellationToken cancellationToken)
    {
        var revoked = 0;
        foreach (var member in await Db.SetMembersAsync(SessionTokens.IndexOf(userId)))
        {
            var sessionId = (string)member!;
            if (sessionId != keepSessionId && await RevokeAsync(userId, sessionId, cancellationToken))
            {
                revoked++;
            }
        }

        return revoked;
    }

    private static SessionInfo ToInfo(string sessionId, RedisResult[] fields)
    {
        var lastUsed = DateTimeOffset.FromUnixTimeMilliseconds((long)fields[3]);
        return new SessionInfo(
            sessionId,
            CreatedAt: DateTimeOffset.FromUnixTimeMilliseconds((long)fields[2]),
            LastUsedAt: lastUsed,
            ExpiresAt: DateTimeOffset.UtcNow.AddMilliseconds(Math.Max(0, (long)fields[4])),
            Client: (string?)fields[1] ?? "");
    }
}
