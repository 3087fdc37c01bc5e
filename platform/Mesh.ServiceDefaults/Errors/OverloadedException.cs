using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Mesh.ServiceDefaults.Errors;

/// <summary>RESOURCE_EXHAUSTED because the service is busy, not because the caller used up a quota: retry after the delay.</summary>
public sealed class OverloadedException(string reason, string message, TimeSpan retryAfter)
    : MeshException(StatusCode.ResourceExhausted, message)
{
    public string Reason { get; } = reason;

    public TimeSpan RetryAfter { get; } = retryAfter;

    public override IEnumerable<IMessage> Details =>
    [
        new ErrorInfo { Reason = Reason, Domain = ErrorDomain.Mesh },
        new RetryInfo { RetryDelay = Duration.FromTimeSpan(RetryAfter) },
    ];
}
