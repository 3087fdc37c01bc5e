namespace Mesh.Gateway.Sessions;

/// <summary>Who a valid token belongs to, and which of their sessions it opened.</summary>
public sealed record AuthenticatedSession(string UserId, string SessionId);
