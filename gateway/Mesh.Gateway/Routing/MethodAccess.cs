namespace Mesh.Gateway.Routing;

/// <summary>What the gateway asks of a caller before a method runs.</summary>
public enum MethodAccess
{
    /// <summary>A live session (bearer token), then the caller's quota.</summary>
    Session,

    /// <summary>No session (Register, Login); charged to the caller's address.</summary>
    Anonymous,

    /// <summary>Health and reflection: neither authenticated nor charged.</summary>
    Infrastructure,
}
