using Google.Protobuf;
using Google.Rpc;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Notifications.Streaming;

/// <summary>OUT_OF_RANGE: more was missed since the resume point than a stream replays.</summary>
public sealed class TooFarBehindException(int maxBacklog)
    : MeshException(
        global::Grpc.Core.StatusCode.OutOfRange,
        $"More than {maxBacklog} notifications were created since resume_after; read them with ListNotifications, then resume after the newest one.")
{
    public override IEnumerable<IMessage> Details =>
        [new ErrorInfo { Reason = "RESUME_BACKLOG_TOO_LARGE", Domain = ErrorDomain.Mesh }];
}
