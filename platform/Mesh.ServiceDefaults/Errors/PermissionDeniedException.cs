using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace Mesh.ServiceDefaults.Errors;

/// <summary>The caller is known but may not do this.</summary>
public sealed class PermissionDeniedException(string reason, string message, IDictionary<string, string>? metadata = null)
    : MeshException(StatusCode.PermissionDenied, message)
{
    public string Reason { get; } = reason;

    public override IEnumerable<IMessage> Details =>
        [new ErrorInfo { Reason = Reason, Domain = ErrorDomain.Mesh, Metadata = { metadata ?? new Dictionary<string, string>() } }];
}
