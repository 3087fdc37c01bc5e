namespace Mesh.Sidecar.DaprApi;

/// <summary>The answer to a Dapr TryLock: granted or not and, when granted, the grant's fencing token.</summary>
public sealed record DaprLockGrant(bool Success, long? FencingToken)
{
    /// <summary>
    /// The response header (gRPC and HTTP) that carries the fencing token, since Dapr's
    /// TryLockResponse has no field for it: clients that know it can fence their writes, clients
    /// that do not lose nothing.
    /// </summary>
    public const string FencingTokenHeader = "x-fencing-token";

    public static DaprLockGrant Refused { get; } = new(false, null);
}
