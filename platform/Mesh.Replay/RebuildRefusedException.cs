using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Replay;

/// <summary>A rebuild cannot start or could not finish in the current state: FAILED_PRECONDITION.</summary>
public sealed class RebuildRefusedException(string type, string subject, string description)
    : MeshException(StatusCode.FailedPrecondition, description)
{
    public string Type { get; } = type;

    public override IEnumerable<IMessage> Details =>
        [new PreconditionFailure { Violations = { new PreconditionFailure.Types.Violation { Type = Type, Subject = subject, Description = Message } } }];
}
