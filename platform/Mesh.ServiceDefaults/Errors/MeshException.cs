using Grpc.Core;

namespace Mesh.ServiceDefaults.Errors;

/// <summary>
/// A domain failure with a precise gRPC status. Its message is written for the caller, so it
/// must never carry internals; <see cref="ErrorMappingInterceptor"/> turns it into the status.
/// </summary>
public abstract class MeshException(StatusCode code, string message) : Exception(message)
{
    public StatusCode Code { get; } = code;

    /// <summary>The details packed into google.rpc.Status (BadRequest, ResourceInfo, ...).</summary>
    public abstract IEnumerable<Google.Protobuf.IMessage> Details { get; }
}
