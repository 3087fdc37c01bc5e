using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Notifications.Streaming;

/// <summary>
/// UNAVAILABLE ending a stream the server recycles (its lifetime is over, or the instance stops):
/// the client subscribes again with <c>resume_after</c> set to <see cref="ResumeAfter"/> (the last
/// notification sent on this stream) and misses nothing.
/// </summary>
public sealed class StreamRecycledException(string resumeAfter, TimeSpan retryAfter)
    : MeshException(
        global::Grpc.Core.StatusCode.Unavailable,
        "The server ended this Subscribe stream; subscribe again with resume_after set to the last notification_id you handled.")
{
    public const string Reason = "STREAM_RECYCLED";

    public string ResumeAfter { get; } = resumeAfter;

    public override IEnumerable<IMessage> Details =>
    [
        new ErrorInfo { Reason = Reason, Domain = ErrorDomain.Mesh, Metadata = { ["resume_after"] = ResumeAfter } },
        new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) },
    ];
}
