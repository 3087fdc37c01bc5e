namespace Mesh.Gateway.Sessions;

/// <summary>A new session. The token is handed to the client once and never stored.</summary>
public sealed record SessionGrant(string Token, DateTimeOffset ExpiresAt, string UserId);
