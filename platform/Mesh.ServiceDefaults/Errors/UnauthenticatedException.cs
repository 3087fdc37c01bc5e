using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace Mesh.ServiceDefaults.Errors;

/// <summary>The caller is not who it must be. One message for every cause, so it reveals nothing.</summary>
public sealed class UnauthenticatedException(string reason, string message)
    : MeshException(StatusCode.Unauthenticated, message)
{
    public const string Domain = ErrorDomain.Mesh;

    public string Reason { get; } = reason;

    public override IEnumerable<IMessage> Details => [new ErrorInfo { Reason = Reason, Domain = Domain }];
}
