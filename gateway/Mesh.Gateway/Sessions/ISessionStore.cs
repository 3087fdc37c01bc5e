namespace Mesh.Gateway.Sessions;

public interface ISessionStore
{
    Task<SessionGrant> CreateAsync(string userId, string clientInfo, CancellationToken cancellationToken);

    /// <summary>The session of a token, renewing its idle timeout; null when unknown, expired or revoked.</summary>
    Task<AuthenticatedSession?> AuthenticateAsync(string token, CancellationToken cancellationToken);

    Task<IReadOnlyList<SessionInfo>> ListAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Revokes one session of the user; false when the user has no such live session.</summary>
    Task<bool> RevokeAsync(string userId, string sessionId, CancellationToken cancellationToken);

    /// <summary>Revokes every session of the user but <paramref name="keepSessionId"/>; returns how many.</summary>
    Task<int> RevokeAllExceptAsync(string userId, string? keepSessionId, CancellationToken cancellationToken);
}
