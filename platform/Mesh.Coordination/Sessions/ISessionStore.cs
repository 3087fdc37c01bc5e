namespace Mesh.Coordination.Sessions;

public interface ISessionStore
{
    Task<SessionGrant> CreateAsync(string userId, string clientInfo, CancellationToken cancellationToken);

    /// <summary>The session's user id, renewing its idle timeout; null when unknown, expired or revoked.</summary>
    Task<string?> AuthenticateAsync(string token, CancellationToken cancellationToken);

    /// <summary>True when a live session was revoked.</summary>
    Task<bool> RevokeAsync(string token, CancellationToken cancellationToken);
}
