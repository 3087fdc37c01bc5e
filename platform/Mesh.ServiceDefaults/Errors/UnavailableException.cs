using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Mesh.ServiceDefaults.Errors;

/// <summary>A dependency failed transiently; the same request may be retried after the given delay.</summary>
public sealed class UnavailableException(string message, TimeSpan retryAfter, Exception? inner = null)
    : MeshException(StatusCode.Unavailable, message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;

    public Exception? Cause { get; } = inner;

    public override IEnumerable<IMessage> Details =>
        [new RetryInfo { RetryDelay = Duration.FromTimeSpan(RetryAfter) }];
}
