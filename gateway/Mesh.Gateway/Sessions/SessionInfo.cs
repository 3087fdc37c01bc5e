namespace Mesh.Gateway.Sessions;

/// <summary>A live session as its owner may see it; the id is the token's hash, never the token.</summary>
public sealed record SessionInfo(
    string SessionId, DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt, DateTimeOffset ExpiresAt, string Client);
