using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Users.Replay;

/// <summary>A rebuild cannot start or could not finish in the current state: FAILED_PRECONDITION.</summary>
public sealed class RebuildRefusedException(string type, string description)
    : MeshException(StatusCode.FailedPrecondition, description)
{
    public override IEnumerable<IMessage> Details =>
        [new PreconditionFailure { Violations = { new PreconditionFailure.Types.Violation { Type = type, Subject = "users views", Description = Message } } }];
}
